"""The rules the layout carries, checked on the code itself.

* One writer per rule: a field that a service owns (`SERVICE_OWNED_FIELDS` on the
  model) is writable in no form, no serializer and no admin change form.
* `reviews` never imports `needs`; `reviews.permissions` never imports
  `reviews.models` (the models ask the permissions for their scope).
"""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from rest_framework import serializers

import needs
import reviews
from tatracker.api_urls import router

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def _owned(model) -> set[str]:
    return set(getattr(model, "SERVICE_OWNED_FIELDS", ()))


def _modules(package):
    """Every module of a package and its sub-packages (migrations aside)."""
    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" not in info.name and ".management" not in info.name:
            yield importlib.import_module(info.name)


def _classes(base):
    found = set()
    for package in (needs, reviews):
        for module in _modules(package):
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, base) and cls.__module__ == module.__name__:
                    found.add(cls)
    return sorted(found, key=lambda cls: cls.__qualname__)


def _serializers():
    """Serializers of the modules, of the router's viewsets, and their nested ones."""
    found = set(_classes(serializers.ModelSerializer))
    for _, viewset, _ in router.registry:
        for action in ("create", "update"):
            found.add(viewset(action=action).get_serializer_class())
    return sorted(found - {None}, key=lambda cls: cls.__qualname__)


@pytest.mark.parametrize("form_class", _classes(forms.ModelForm), ids=str)
def test_no_model_form_writes_a_service_owned_field(form_class):
    owned = _owned(form_class._meta.model)
    assert not owned & set(form_class.base_fields)


def _writable(serializer) -> dict[str, set[str]]:
    """Writable fields per model, nested serializers included."""
    found: dict[str, set[str]] = {}
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ModelSerializer):
            for key, names in _writable(field).items():
                found.setdefault(key, set()).update(names)
        elif not field.read_only and model is not None:
            found.setdefault(model._meta.label, set()).add(field.source or name)
    return found


@pytest.mark.parametrize("serializer_class", _serializers(), ids=str)
def test_no_serializer_writes_a_service_owned_field(serializer_class):
    request = RequestFactory().get("/")
    serializer = serializer_class(context={"request": request})
    leaks = {}
    for label, names in _writable(serializer).items():
        owned = _owned(apps.get_model(label))
        if owned & names:
            leaks[label] = owned & names
    assert leaks == {}


@pytest.mark.parametrize(
    "model_admin", list(admin.site._registry.values()), ids=lambda a: str(a.model)
)
def test_no_admin_form_writes_a_service_owned_field(model_admin, admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    editable = {model_admin.model: set(model_admin.get_form(request).base_fields)}
    for inline in model_admin.get_inline_instances(request):
        formset = inline.get_formset(request)
        editable[inline.model] = set(formset.form.base_fields)
    leaks = {
        model._meta.label: _owned(model) & fields
        for model, fields in editable.items()
        if _owned(model) & fields
    }
    assert leaks == {}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_reviews_never_imports_needs():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.split(".")[0] == "needs"
        )
        for path in (ROOT / "reviews").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_permissions_and_models_form_no_cycle():
    assert "reviews.models" not in _imports(ROOT / "reviews" / "permissions.py")
    assert "needs.models" not in _imports(ROOT / "reviews" / "permissions.py")
