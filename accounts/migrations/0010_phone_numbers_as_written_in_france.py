"""Phone numbers and postcodes typed before the portal had one rule for them
are stored the way the forms now store them: a valid phone number as the
French write it (``06 12 34 56 78``), a postcode without spaces. What is no
valid number is left as it is: the citizen is asked to correct it the next
time they edit their account."""

from django.db import migrations


def normalise(apps, schema_editor):
    from accounts.validators import format_phone

    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(phone="", postcode="").only("pk", "phone", "postcode"):
        phone = format_phone(user.phone.strip()) if user.phone else ""
        postcode = "".join(user.postcode.split())
        if (phone, postcode) != (user.phone, user.postcode):
            User.objects.filter(pk=user.pk).update(phone=phone, postcode=postcode)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_franceconnect_validates_linked_accounts")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
