from django.conf import settings


def site(request):
    return {"PRODUCT_NAME": "Dataset Research Assistant", "VERSION": settings.VERSION}
