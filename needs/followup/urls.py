from django.urls import path

from needs.followup import record_views, report_views, views

app_name = "followup"
urlpatterns = [
    path("follow-up/", views.desk, name="desk"),
    path("follow-up/states/<str:code>/", views.state_follow_up, name="state_follow_up"),
    path("follow-up/donors/", views.donor_mapping, name="donor_mapping"),
    path("follow-up/unmet/", views.unmet_needs, name="unmet_needs"),
    path("follow-up/clusters/", views.clusters, name="clusters"),
    path(
        "follow-up/assistance/<int:pk>/",
        views.assistance_detail,
        name="assistance_detail",
    ),
    path("needs/<int:pk>/coverage/", views.need_coverage, name="need_coverage"),
    # Recording the follow-up (the admin stays for curation).
    path(
        "follow-up/reviews/<int:pk>/letter/",
        record_views.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "follow-up/reviews/<int:pk>/letter/delete/",
        record_views.follow_up_delete,
        name="follow_up_delete",
    ),
    path(
        "follow-up/reviews/<int:pk>/consent/",
        record_views.consent_edit,
        name="consent_edit",
    ),
    path(
        "follow-up/consents/<int:pk>/withdraw/",
        record_views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "follow-up/states/<str:code>/plans/new/",
        record_views.action_plan_create,
        name="action_plan_create",
    ),
    path(
        "follow-up/plans/<int:pk>/edit/",
        record_views.action_plan_edit,
        name="action_plan_edit",
    ),
    path(
        "follow-up/plans/<int:pk>/delete/",
        record_views.action_plan_delete,
        name="action_plan_delete",
    ),
    path("follow-up/donors/list/", record_views.donor_list, name="donor_list"),
    path("follow-up/donors/new/", record_views.donor_create, name="donor_create"),
    path(
        "follow-up/donors/<int:pk>/edit/",
        record_views.donor_edit,
        name="donor_edit",
    ),
    path(
        "follow-up/donors/<int:pk>/delete/",
        record_views.donor_delete,
        name="donor_delete",
    ),
    path(
        "follow-up/assistance/new/",
        record_views.assistance_create,
        name="assistance_create",
    ),
    path(
        "follow-up/assistance/<int:pk>/edit/",
        record_views.assistance_edit,
        name="assistance_edit",
    ),
    path(
        "follow-up/assistance/<int:pk>/delete/",
        record_views.assistance_delete,
        name="assistance_delete",
    ),
    # Assistance a focal point reports, and the secretariat's confirmation.
    path(
        "follow-up/states/<str:code>/assistance-reports/new/",
        report_views.assistance_report_create,
        name="assistance_report_create",
    ),
    path(
        "follow-up/assistance-reports/",
        report_views.assistance_report_list,
        name="assistance_report_list",
    ),
    path(
        "follow-up/assistance-reports/<int:pk>/edit/",
        report_views.assistance_report_edit,
        name="assistance_report_edit",
    ),
    path(
        "follow-up/assistance-reports/<int:pk>/confirm/",
        report_views.assistance_report_confirm,
        name="assistance_report_confirm",
    ),
    path(
        "follow-up/assistance-reports/<int:pk>/decline/",
        report_views.assistance_report_decline,
        name="assistance_report_decline",
    ),
]
