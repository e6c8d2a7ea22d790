"""The six integration types: what each is for and which scope fields it reads.

Forms, API warnings and troubleshooting all read this one table.
"""

from dataclasses import dataclass, field

ORG_SLUG = "org_slug"
WORKSPACE_ID = "workspace_id"
STATUSES = ("active", "inactive", "pending", "error")

STATUS_MEANINGS = {
    "active": "in use",
    "inactive": "paused on purpose; nothing will use it until it is set back to active",
    "pending": "set up but not finished; usually the authorisation was never completed",
    "error": "marked as failing; the last attempt to use it went wrong",
}


@dataclass(frozen=True)
class ScopeField:
    name: str
    label: str
    help: str


@dataclass(frozen=True)
class IntegrationType:
    slug: str
    label: str
    purpose: str
    primary: ScopeField
    secondary: tuple[ScopeField, ...] = field(default=())

    @property
    def scope_fields(self) -> tuple[ScopeField, ...]:
        return (self.primary, *self.secondary)

    @property
    def other_primary_name(self) -> str:
        """The primary field of the other kind, which this type does not read."""
        return WORKSPACE_ID if self.primary.name == ORG_SLUG else ORG_SLUG


def _project(where: str) -> ScopeField:
    return ScopeField("project_id", "Project ID", where)


def _installation(where: str) -> ScopeField:
    return ScopeField("installation_id", "Installation ID", where)


TYPES: dict[str, IntegrationType] = {
    t.slug: t
    for t in (
        IntegrationType(
            slug="sentry",
            label="Sentry",
            purpose="Error tracking and monitoring",
            primary=ScopeField(
                ORG_SLUG,
                "Organization slug",
                "The short name in your Sentry address: sentry.io/organizations/"
                "<slug>/, also under Settings → General Settings → Organization Slug.",
            ),
            secondary=(
                _project(
                    "The project's slug or numeric ID, from Settings → Projects → "
                    "your project → General Settings."
                ),
                _installation(
                    "For a Sentry integration platform app: Settings → Custom "
                    "Integrations → your integration."
                ),
            ),
        ),
        IntegrationType(
            slug="github",
            label="GitHub",
            purpose="Source code management",
            primary=ScopeField(
                WORKSPACE_ID,
                "Workspace ID (organization or account)",
                "The organization or user login that owns the repositories, as in "
                "github.com/<login>.",
            ),
            secondary=(
                _installation(
                    "The number at the end of the app installation's address: "
                    "Organization Settings → GitHub Apps → Configure → "
                    "…/installations/<id>."
                ),
                _project("A repository name or a GitHub Projects number."),
            ),
        ),
        IntegrationType(
            slug="slack",
            label="Slack",
            purpose="Team communication",
            primary=ScopeField(
                WORKSPACE_ID,
                "Workspace ID",
                "Starts with T. Open Slack in a browser: it is the T… part of "
                "app.slack.com/client/T…/, or ask the workspace admin.",
            ),
            secondary=(
                _project(
                    "A channel ID (starts with C) if the integration posts to one."
                ),
            ),
        ),
        IntegrationType(
            slug="jira",
            label="Jira",
            purpose="Issue tracking",
            primary=ScopeField(
                WORKSPACE_ID,
                "Workspace ID (Atlassian site)",
                "Your Atlassian site, as in <site>.atlassian.net, or its cloud ID "
                "from <site>.atlassian.net/_edge/tenant_info.",
            ),
            secondary=(
                _project("The project key shown before issue numbers, as in KEY-123."),
            ),
        ),
        IntegrationType(
            slug="linear",
            label="Linear",
            purpose="Project management",
            primary=ScopeField(
                WORKSPACE_ID,
                "Workspace ID",
                "The workspace's URL key, as in linear.app/<key>/, also under "
                "Settings → Workspace → General.",
            ),
            secondary=(_project("A team key (as in ENG-42) or a project ID."),),
        ),
        IntegrationType(
            slug="confluence",
            label="Confluence",
            purpose="Documentation",
            primary=ScopeField(
                WORKSPACE_ID,
                "Workspace ID (Atlassian site)",
                "Your Atlassian site, as in <site>.atlassian.net/wiki, or its cloud "
                "ID from <site>.atlassian.net/_edge/tenant_info.",
            ),
            secondary=(_project("A space key, shown in …/wiki/spaces/<KEY>/."),),
        ),
    )
}

TYPE_SLUGS = tuple(TYPES)


def get_type(slug: str) -> IntegrationType:
    return TYPES[slug]
