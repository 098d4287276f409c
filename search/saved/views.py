"""The "New for you" page (/saved/) and the save / seen / alert / delete forms. Plain POST forms with
a redirect (they work without JavaScript); the search page's save box swaps in place with htmx."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from search.models import SavedSearch
from search.saved import services
from search.views import parse_search_params


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _owned(request: HttpRequest, pk: int) -> SavedSearch:
    try:
        return services.saved_search_get(user=request.user, pk=pk)
    except SavedSearch.DoesNotExist:
        raise Http404("No such saved search") from None


def _match_row(match) -> dict:
    dataset = match.dataset
    return {
        "id": dataset.pk,
        "title": dataset.title,
        "publisher": dataset.publisher.name if dataset.publisher else "",
        "source": dataset.source.name,
        "first_seen": match.first_seen,
    }


@require_GET
def saved_searches_page(request: HtmxHttpRequest):
    if not request.user.is_authenticated:
        return render(request, "search/saved.html", {"rows": [], "login_url": _login_url(reverse("saved-searches"))})
    new = services.new_matches_for_user(user=request.user)
    rows = [
        {
            "saved": saved,
            "search_url": services.saved_search_url(saved),
            "filters_text": services.filters_text(saved.filters),
            "new": [_match_row(m) for m in new.get(saved.pk, [])],
        }
        for saved in services.saved_search_list(user=request.user)
    ]
    return render(
        request,
        "search/saved.html",
        {"rows": rows, "new_total": sum(len(r["new"]) for r in rows), "limit": services.max_per_user()},
    )


def _login_url(next_url: str) -> str:
    return f"{reverse('login')}?next={next_url}" if next_url.startswith("/") else reverse("login")


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
def saved_search_create(request: HtmxHttpRequest):
    query, filters, _page = parse_search_params(request.POST)
    back = _back(request, reverse("search"))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    context = {"query": query, "filters": filters, "next": back}
    try:
        saved, created = services.saved_search_create(
            user=request.user,
            query=query,
            filters=filters,
            name=request.POST.get("name", ""),
            email_digest=request.POST.get("email_digest") == "on",
        )
    except services.SavedSearchError as exc:
        errors = [m for messages in exc.errors.values() for m in messages]
        if request.htmx:
            return render(request, "search/_save_search.html", {**context, "save_errors": errors})
        for message in errors:
            flash.error(request, message)
        return redirect(back)
    text = (
        "Search saved: new matches will show under “New for you”." if created else "You had already saved this search."
    )
    if request.htmx:
        return render(request, "search/_save_search.html", {**context, "saved_search": saved, "save_done": text})
    flash.success(request, text)
    return redirect(back)


@require_POST
def saved_search_seen(request: HtmxHttpRequest, pk: int):
    saved = _owned(request, pk)
    dataset_id = request.POST.get("dataset_id", "")
    marked = services.matches_mark_seen(saved=saved, dataset_ids=[int(dataset_id)] if dataset_id.isdigit() else None)
    flash.success(request, f"Marked {marked} dataset{'' if marked == 1 else 's'} as seen.")
    return redirect("saved-searches")


@require_POST
def saved_searches_seen_all(request: HtmxHttpRequest):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("saved-searches"))
    marked = services.matches_mark_all_seen(user=request.user)
    flash.success(request, f"Marked {marked} dataset{'' if marked == 1 else 's'} as seen.")
    return redirect("saved-searches")


@require_POST
def saved_search_alerts(request: HtmxHttpRequest, pk: int):
    saved = _owned(request, pk)
    on = request.POST.get("email_digest") == "on"
    services.saved_search_update(saved=saved, user=request.user, email_digest=on)
    if on and not request.user.email:
        flash.warning(request, "E-mail alerts are on, but your account has no e-mail address to send them to.")
    else:
        flash.success(request, f"E-mail alerts {'on' if on else 'off'} for “{saved.name}”.")
    return redirect("saved-searches")


@require_POST
def saved_search_delete(request: HtmxHttpRequest, pk: int):
    saved = _owned(request, pk)
    services.saved_search_delete(saved=saved)
    flash.success(request, f"Saved search “{saved.name}” deleted.")
    return redirect("saved-searches")
