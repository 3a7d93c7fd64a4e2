"""Every group with rights on pages, collections or sites belongs to one
commune: none outside them, as Wagtail's default groups were, one wrong tick
away from giving a commune's staff every commune's pages."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowState,
)

from accounts.models import User
from cms.checks import groups_within_one_commune
from cms.tenancy import groups_outside_communes

migration = importlib.import_module(
    "cms.migrations.0006_remove_wagtail_default_groups_and_workflow"
)


def warnings():
    return groups_within_one_commune(None, databases=["default"])


def test_wagtails_default_groups_and_workflow_are_not_installed(migrated):
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not Workflow.objects.filter(active=True).exists()
    assert not WorkflowPage.objects.exists()


def test_no_group_outside_a_commune_holds_rights_in_the_demo(demo):
    assert groups_outside_communes() == {}
    assert warnings() == []
    assert Group.objects.count() == 6


def test_the_publish_menu_offers_no_approval_nobody_could_give(client, demo, faq_of):
    from wagtail.models import Site

    client.force_login(User.objects.get(username="com.carvin"))
    faq = faq_of(Site.objects.get(hostname="carvin.localhost"))

    html = client.get(reverse("wagtailadmin_pages:edit", args=[faq.pk])).content.decode()

    assert "approval" not in html
    assert "action-submit" not in html


def test_a_group_with_rights_on_the_root_page_is_reported(carvin):
    group = Group.objects.create(name="Rédacteurs")
    GroupPagePermission.objects.create(
        group=group,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(codename="change_page"),
    )

    assert groups_outside_communes() == {group: {None}}
    assert [(w.id, w.obj) for w in warnings()] == [("cms.W001", group)]


def test_a_group_with_rights_on_the_root_collection_is_reported(carvin):
    group = Group.objects.create(name="Photothèque")
    GroupCollectionPermission.objects.create(
        group=group,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="choose_image"),
    )

    assert [w.obj for w in warnings()] == [group]


def test_a_group_with_rights_in_two_communes_is_reported(carvin, saint_andre):
    group = Group.objects.get(name="Carvin — Communication")
    GroupPagePermission.objects.create(
        group=group,
        page=saint_andre.root_page,
        permission=Permission.objects.get(codename="change_page"),
    )

    assert groups_outside_communes() == {group: {carvin.pk, saint_andre.pk}}


def test_commune_groups_hold_rights_in_their_commune_only(carvin, saint_andre):
    assert warnings() == []


@pytest.fixture
def wagtail_defaults(carvin, faq_of):
    """Wagtail's default groups and workflow, a page of Carvin in moderation."""
    from wagtail.models import GroupApprovalTask, WorkflowTask

    root = Page.get_first_root_node()
    for name, codenames in (
        ("Editors", ["add_page", "change_page"]),
        ("Moderators", ["add_page", "change_page", "publish_page"]),
    ):
        group = Group.objects.create(name=name)
        for codename in codenames:
            GroupPagePermission.objects.create(
                group=group, page=root, permission=Permission.objects.get(codename=codename)
            )
        GroupCollectionPermission.objects.create(
            group=group,
            collection=Collection.get_first_root_node(),
            permission=Permission.objects.get(codename="choose_image"),
        )
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.set([Group.objects.get(name="Moderators")])
    workflow = Workflow.objects.create(name="Moderators approval")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=root)
    page = faq_of(carvin)
    editor = User.objects.create_user(username="editor", password="a-long-password-1")
    page.save_revision(user=editor)
    workflow.start(page, editor)
    return page


def test_the_migration_removes_the_default_groups_and_unlocks_pages_in_moderation(
    wagtail_defaults,
):
    page = wagtail_defaults
    assert page.workflow_in_progress

    migration.remove_default_groups_and_workflow(apps, None)

    page = Page.objects.get(pk=page.pk).specific
    assert not page.workflow_in_progress
    assert not page.get_lock()
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_CANCELLED
    assert not Workflow.objects.filter(active=True).exists()
    assert not WorkflowPage.objects.exists()
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert warnings() == []
