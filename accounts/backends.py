from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

UserModel = get_user_model()


class PasswordBackend(ModelBackend):
    """Django's username-and-password sign-in, without Django's model permissions.

    Every permission of the portal is a rule (the apps' rules.py, checked by rules'
    ObjectPermissionBackend); nobody is given model permissions or groups. Without this, every
    refused `has_perm` also cost two queries for the (empty) model permissions, on every page.
    Superusers keep every permission: `User.has_perm` grants them before asking a backend.
    """

    def get_user(self, user_id):
        """The signed-in user of each request, with the department: staff pages name it, and it
        costs a join here rather than a query there."""
        try:
            user = UserModel._default_manager.select_related("department").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
