from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lumeire.demo"
    label = "demo"

    def ready(self) -> None:
        # Registered here rather than in loaders.py so each part of the store adds its own
        # loader without touching the others'.
        from lumeire.demo.accounts import DEMO_PASSWORD, DEMO_USERNAME, load_demo_customer
        from lumeire.demo.loaders import DEMO_SIGN_INS, LOADERS

        if ("customer", load_demo_customer) not in LOADERS:
            LOADERS.append(("customer", load_demo_customer))
            DEMO_SIGN_INS.append(("customer", DEMO_USERNAME, DEMO_PASSWORD))
