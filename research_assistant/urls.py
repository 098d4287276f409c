from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from conversation import views as conversation_views
from ops import api_auth, health, metrics
from search.mcp.http import McpView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", conversation_views.login_view, name="login"),  # adopts the anonymous chat
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/health", health.health_view, name="health"),
    path("api/health/live", health.live_view, name="health-live"),
    path("api/health/ready", health.ready_view, name="health-ready"),
    path("api/metrics", metrics.metrics_view, name="metrics"),
    path("api/auth/token", api_auth.TokenView.as_view(), name="api-auth-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (the CSP allows no inline script).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("catalog.api_urls")),
    path("api/", include("search.api_urls")),
    path("api/", include("conversation.api_urls")),
    path("mcp", McpView.as_view(), name="mcp"),  # the MCP server for AI agents (search/mcp/)
    path("", include("catalog.urls")),
    path("", include("search.urls")),
    path("", include("conversation.urls")),
]

handler400 = "ops.views.bad_request"
handler404 = "ops.views.page_not_found"
handler500 = "ops.views.server_error"
