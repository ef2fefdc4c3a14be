"""Version 1 of the privacy policy, in the store's own words, so every acceptance names a real text."""

import datetime

from django.db import migrations

SECTIONS = [
    {
        "key": "introduction",
        "title": {
            "en": "Privacy and confidentiality policy",
            "ar": "سياسة الخصوصية وسرية المعلومات"
        },
        "body": {
            "en": "Thank you for trusting Lumeire. You have rights over your personal information, and the store takes them seriously. This policy explains what Lumeire keeps, why it keeps it, who may see it and how it is protected.",
            "ar": "شكرًا لثقتك بـ Lumeire. لك حقوق على معلوماتك الشخصية، ويأخذها المتجر بجدية. توضّح هذه السياسة ما يحفظه Lumeire، ولماذا يحفظه، ومن يجوز له الاطلاع عليه، وكيف يُحمى."
        }
    },
    {
        "key": "first",
        "title": {
            "en": "The information we keep",
            "ar": "المعلومات التي نحفظها"
        },
        "body": {
            "en": "1. Your personal details: your name, your age, your email address, and your national ID number or residence number.\n2. Your sign-in details: your username, your password, your email address, and the recovery question you choose with its answer. The password and the answer are kept only as one-way fingerprints that cannot be turned back into the original.\n3. Cookies: small files the site needs in order to work, such as the ones that keep you signed in, remember your language and protect your forms.",
            "ar": "1. بياناتك الشخصية: اسمك، وعمرك، وبريدك الإلكتروني، ورقم هويتك الوطنية أو رقم إقامتك.\n2. بيانات تسجيل الدخول: اسم المستخدم، وكلمة المرور، وبريدك الإلكتروني، وسؤال الاسترداد الذي تختاره مع إجابته. ولا تُحفظ كلمة المرور والإجابة إلا على هيئة بصمات أحادية الاتجاه لا يمكن إرجاعها إلى أصلها.\n3. ملفات تعريف الارتباط: ملفات صغيرة يحتاج إليها الموقع ليعمل، مثل تلك التي تُبقيك مسجّلًا للدخول، وتتذكّر لغتك، وتحمي النماذج التي ترسلها."
        }
    },
    {
        "key": "second",
        "title": {
            "en": "Whether we share it",
            "ar": "هل نشاركها مع أحد؟"
        },
        "body": {
            "en": "1. Your information is kept to protect your privacy and used for two purposes only: to improve the store and to make your dealings with it simple.\n2. Only the people responsible for running the store can reach your information, each only as far as their work requires. They will not publish it or pass it to anyone else.\n3. To keep everyone safe, if irregular or unlawful activity is noticed on an account, the store may report it to the competent authorities, and only after its legal department has reviewed the case.",
            "ar": "1. تُحفظ معلوماتك بما يصون خصوصيتك، ولا تُستخدم إلا لغرضين: تحسين المتجر، وتيسير تعاملك معه.\n2. لا يصل إلى معلوماتك إلا المسؤولون عن تشغيل المتجر، كلٌّ بالقدر الذي يتطلبه عمله، ولن ينشروها أو ينقلوها إلى أي طرف آخر.\n3. حرصًا على سلامة الجميع، إذا لوحظ على أحد الحسابات نشاط غير معتاد أو مخالف للنظام، فقد يبلّغ المتجر الجهات المختصة عنه، ولا يكون ذلك إلا بعد أن تراجع إدارته القانونية الحالة."
        }
    },
    {
        "key": "third",
        "title": {
            "en": "How it is protected",
            "ar": "كيف نحميها"
        },
        "body": {
            "en": "The store keeps your information confidential and holds itself to every rule in this policy. No system on the internet can promise perfect security, so here is plainly what the store does and what you can do:\n\n- Nobody is allowed to view your information in any way this policy does not permit.\n- Your personal details are stored encrypted on protected servers, each customer's with a separate key, and every time a member of staff reveals them the reason is recorded.\n- Hacking and malicious software can sometimes defeat even careful protection. Keep your password and recovery answer to yourself, and do not share information you consider highly sensitive. This advice is given out of care for your safety.",
            "ar": "يحافظ المتجر على سرية معلوماتك، ويلتزم بكل قاعدة في هذه السياسة. ولأنه لا يوجد نظام على الإنترنت يضمن الأمان الكامل، إليك بوضوح ما يفعله المتجر وما يمكنك أنت فعله:\n\n- لا يُسمح لأحد بالاطلاع على معلوماتك بأي طريقة لا تجيزها هذه السياسة.\n- تُحفظ بياناتك الشخصية مشفّرة على خوادم محمية، ولكل عميل مفتاح مستقل، وفي كل مرة يكشف فيها أحد الموظفين عنها يُسجَّل سبب ذلك.\n- قد ينجح الاختراق والبرمجيات الخبيثة أحيانًا في تجاوز أكثر وسائل الحماية حرصًا. لذا احتفظ بكلمة المرور وإجابة سؤال الاسترداد لنفسك، ولا تشارك أي معلومات تراها بالغة الحساسية. نقدّم لك هذه النصيحة حرصًا على سلامتك."
        }
    },
    {
        "key": "fourth",
        "title": {
            "en": "The rules of using the store",
            "ar": "قواعد استخدام المتجر"
        },
        "body": {
            "en": "This policy sets out the obligations of Lumeire, the obligations of its users and the rights that belong to each side. It is part of the agreement between you and Lumeire about the relationship between you, and it exists to earn and keep the trust you place in the store.",
            "ar": "تبيّن هذه السياسة التزامات Lumeire، والتزامات مستخدميه، والحقوق التي تعود لكل طرف. وهي جزء من الاتفاق المبرم بينك وبين Lumeire بشأن العلاقة بينكما، وغايتها كسب الثقة التي تضعها في المتجر والمحافظة عليها."
        }
    }
]


EFFECTIVE_AT = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def publish_version_1(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version=1,
        defaults={
            "effective_at": EFFECTIVE_AT,
            "sections": SECTIONS,
            "published": True,
        },
    )


def unpublish_version_1(apps, schema_editor):
    apps.get_model("privacy", "PolicyVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(publish_version_1, unpublish_version_1)]
