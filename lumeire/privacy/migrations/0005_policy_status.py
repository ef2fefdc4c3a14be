"""Policy versions become drafts or published texts, acceptances keep a keyed hash of the client,
and version 1 names the parts that are generated from the running system at render time.

Version 1 is rewritten here, once, before any customer outside the demo has accepted it: its
words stay the same and the markers only add the lists that used to be written by hand.
"""

from django.db import migrations, models

FIRST_EN = (
    "We keep only what the store needs to serve you. Every item is listed below with its kind, "
    "why we keep it and for how long. This list is produced from the store's own inventory of "
    "personal data each time you read it, so it always matches what the store really holds.\n"
    "\n"
    "[[kept_data]]\n"
    "\n"
    "Passwords and recovery answers are kept only as one-way fingerprints that cannot be turned "
    "back into the original.\n"
    "\n"
    "Cookies: small files the site needs in order to work. These are all the cookies the store "
    "can set:\n"
    "\n"
    "[[cookies]]"
)
FIRST_AR = (
    "لا نحفظ إلا ما يحتاج إليه المتجر لخدمتك. وفيما يلي كل عنصر مع نوعه، وسبب حفظه، ومدة حفظه. "
    "تُنشأ هذه القائمة من سجل البيانات الشخصية الخاص بالمتجر في كل مرة تقرؤها، فتطابق دائمًا ما "
    "يحفظه المتجر فعلًا.\n"
    "\n"
    "[[kept_data]]\n"
    "\n"
    "لا تُحفظ كلمات المرور وإجابات أسئلة الاسترداد إلا على هيئة بصمات أحادية الاتجاه لا يمكن "
    "إرجاعها إلى أصلها.\n"
    "\n"
    "ملفات تعريف الارتباط: ملفات صغيرة يحتاج إليها الموقع ليعمل. وهذه كل الملفات التي قد يضعها "
    "المتجر:\n"
    "\n"
    "[[cookies]]"
)
SECOND_EN_TAIL = "\n\nWho in the store may see your information in clear:\n\n[[who_can_see]]"
SECOND_AR_TAIL = "\n\nمن يجوز له في المتجر الاطلاع على معلوماتك دون إخفاء:\n\n[[who_can_see]]"
THIRD_EN = (
    "The store keeps your information confidential and holds itself to every rule in this "
    "policy. No system on the internet can promise perfect security, so here is plainly what "
    "the store does, as it is configured right now:\n"
    "\n"
    "[[protection]]\n"
    "\n"
    "Hacking and malicious software can sometimes defeat even careful protection. Keep your "
    "password and recovery answer to yourself, and do not share information you consider highly "
    "sensitive. This advice is given out of care for your safety."
)
THIRD_AR = (
    "يحافظ المتجر على سرية معلوماتك، ويلتزم بكل قاعدة في هذه السياسة. ولأنه لا يوجد نظام على "
    "الإنترنت يضمن الأمان الكامل، إليك بوضوح ما يفعله المتجر بحسب إعداداته الحالية:\n"
    "\n"
    "[[protection]]\n"
    "\n"
    "قد ينجح الاختراق والبرمجيات الخبيثة أحيانًا في تجاوز أكثر وسائل الحماية حرصًا. لذا احتفظ "
    "بكلمة المرور وإجابة سؤال الاسترداد لنفسك، ولا تشارك أي معلومات تراها بالغة الحساسية. نقدّم "
    "لك هذه النصيحة حرصًا على سلامتك."
)
FOURTH_TAIL = "\n\n[[rules_link]]"


def generated_sections(sections: list[dict]) -> list[dict]:
    """Version 1's sections with the markers of the parts generated at render time."""
    result = []
    for section in sections:
        section = {**section, "body": dict(section["body"])}
        body = section["body"]
        if section["key"] == "first":
            body["en"], body["ar"] = FIRST_EN, FIRST_AR
        elif section["key"] == "second" and "[[who_can_see]]" not in body["en"]:
            body["en"] += SECOND_EN_TAIL
            body["ar"] += SECOND_AR_TAIL
        elif section["key"] == "third":
            body["en"], body["ar"] = THIRD_EN, THIRD_AR
        elif section["key"] == "fourth" and "[[rules_link]]" not in body["en"]:
            body["en"] += FOURTH_TAIL
            body["ar"] += FOURTH_TAIL
        result.append(section)
    return result


def mark_published_and_generate(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    for policy in PolicyVersion.objects.all():
        policy.status = "published" if policy.published else "draft"
        if policy.version == 1:
            policy.sections = generated_sections(policy.sections)
        policy.save(update_fields=["status", "sections"])


def back_to_published_flag(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.filter(status="published").update(published=True)
    PolicyVersion.objects.exclude(status="published").update(published=False)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_consent_records")]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")],
                default="draft",
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_published_and_generate, back_to_published_flag),
        migrations.RemoveField(model_name="policyversion", name="published"),
        migrations.AddField(
            model_name="policyacceptance",
            name="client_ref",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
