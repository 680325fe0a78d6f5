#!/usr/bin/env bash
# Start the web server, a Celery worker and beat on the embedded default (SQLite, filesystem
# broker), print where to go and who to log in as, and stop everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
# Exported: the settings build e-mail links (SITE_URL) from it, in the web server and the worker.
export PORT="${PORT:-8000}"
BIN=.venv/bin
mkdir -p var

"$BIN/celery" -A jiebang worker --beat --loglevel=INFO --concurrency=1 \
    --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

cat <<TXT

  揭榜挂帅 portal: http://127.0.0.1:${PORT}/
  Celery worker + beat: running (log in var/celery.log)

  Demo logins (password for all: Jiebang@2026)
    staff        管理人员（科技厅高新技术处）
    staff_agri   管理人员（科技厅农村科技处）
    staff_ordos  管理人员（鄂尔多斯市科学技术局，正在申报的榜单）
    staff_rare   管理人员（稀土新材料技术创新中心，含定向榜单）
    staff_tongliao 管理人员（通辽市科学技术局）
    enterprise   发榜企业（包头长安永磁电机有限公司）
    mengtai      发榜企业（内蒙古蒙肽生物工程有限公司）
    applicant    揭榜单位（哈尔滨工业大学，区外）
    imun         揭榜单位（内蒙古民族大学，通辽）
    expert       专家
    recommender  推荐单位（通辽市科学技术局）
    useradmin    平台管理员（账号、角色、加入申请、重置密码邮件）
    admin        系统管理员（/admin/）

  useradmin and admin also need a second factor (两步验证). Demo authenticator secret:
    JIEBANGGUASHUAIDEMOTOTPSECRETKEY
  Add it to an authenticator app, or get the current code with:
    oathtool --totp -b JIEBANGGUASHUAIDEMOTOTPSECRETKEY

TXT
"$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
