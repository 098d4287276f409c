from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from catalog.models import Dataset, Distribution, Publisher, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"source-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    kind = Source.Kind.GOVERNMENT


class PublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publisher
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    source = factory.SubFactory(SourceFactory)
    external_id = factory.Sequence(lambda n: f"ds-{n}")
    title = factory.Sequence(lambda n: f"Dataset number {n}")
    description = "A dataset used in tests."
    publisher = factory.SubFactory(PublisherFactory)
    formats = factory.LazyFunction(lambda: ["CSV"])
    status = Dataset.Status.ACTIVE
    quality_score = 0.5


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    format = "CSV"
    url = factory.Sequence(lambda n: f"https://example.org/files/{n}.csv")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])
