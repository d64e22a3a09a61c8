"""The commands that read: mine, list, show, history and the chair's outstanding view."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Select, inspect, select

from bot import commands as cmd
from bot.services import history_words, paging, queries
from bot.services.context import Context
from bot.services.presentation import action_view
from bot.views import ActionDetail, ActionList, ActionView, History, Outstanding, OutstandingGroup, Reply
from storage.models import Action, ExtensionRequest, ExtensionState


def views(context: Context, actions: list[Action]) -> list[ActionView]:
    """Actions as people see them today, with their waiting extension requests.

    The actions come from a query with ``queries.ACTION_VIEW``, which loaded all a view shows: no statement here.
    """
    today = context.today()
    return [action_view(action, today, context.settings, waiting(action)) for action in actions]


def waiting(action: Action) -> tuple[ExtensionRequest, str] | None:
    """The action's extension request still waiting for a decision (it may have been decided since it was
    loaded, in this unit of work), with who asked."""
    request = action.pending_extension
    if request is None or request.state is not ExtensionState.PENDING:
        return None
    return request, request.requested_by.name


def one_view(context: Context, action: Action) -> ActionView:
    """One action's view; an action made or changed here without ``queries.ACTION_VIEW`` (a new one, one
    read for a change of owner) is read again with it first, in one statement."""
    state = inspect(action)
    if {"review", "agency", "owner", "pending_extension"} & state.unloaded or state.expired_attributes:
        action = context.session.scalars(
            select(Action).options(*queries.ACTION_VIEW).where(Action.id == action.id),
            execution_options={"populate_existing": True},
        ).one()
    return views(context, [action])[0]


def described(command: cmd.Listing) -> str:
    """A listing's filters for its title: `` (review CC, overdue)``, or '' when there are none."""
    words = cmd.describe_filters(command)
    return f" ({words})" if words else ""


def action_list(context: Context, query: Select[Action], title: str, command: cmd.Listing) -> ActionList:
    """One page of a listing, counted and paged in SQL, with the command that shows the next."""
    total = paging.count_of(context.session, query)
    number, pages = paging.clamp(command.page, total)
    return ActionList(
        title=title,
        actions=tuple(views(context, paging.page_rows(context.session, query, number))),
        page=number,
        pages=pages,
        total=total,
        next_command=cmd.with_page(command, number + 1) if number < pages else None,
    )


def mine(context: Context, command: cmd.Mine) -> Reply:
    query = queries.owned_open_query(context.actor.id)
    listing = action_list(context, query, f"Your actions, {context.actor.name}", command)
    return Reply(replace(listing, empty="You have no open actions. Nothing to do!"))


def list_actions(context: Context, command: cmd.ListActions) -> Reply:
    query = queries.filtered_query(context.session, context.actor, command, context.today())
    return Reply(action_list(context, query, f"Actions{described(command)}", command))


def show(context: Context, command: cmd.Show) -> Reply:
    action = queries.action_by_ref(context.session, command.ref)
    recent = queries.updates(context.session, action.id, newest=5)
    timezone = context.settings.timezone
    return Reply(ActionDetail(one_view(context, action), history_words.entries(context.session, recent, timezone)))


def history(context: Context, command: cmd.History) -> Reply:
    action = queries.action_by_ref(context.session, command.ref)
    timezone = context.settings.timezone
    entries = history_words.entries(context.session, queries.updates(context.session, action.id), timezone)
    return Reply(History(action.ref, entries))


def outstanding(context: Context, command: cmd.Outstanding) -> Reply:
    """The chair's view: one GROUP BY for the counts, one LIMIT query for the page, views for its rows only."""
    session, where = context.session, queries.outstanding_where(command.review, command.agency)
    urgency = paging.Urgency.on(context.today(), context.settings)
    counts = paging.group_counts(session, where, urgency)
    total = sum(group.actions for group in counts)
    page, pages = paging.clamp(command.page, total)
    shown = views(context, paging.outstanding_page(session, where, urgency, page))
    return Reply(
        Outstanding(
            groups=tuple(page_groups(shown, {(g.review_code, g.agency): g for g in counts})),
            total=total,
            overdue=sum(group.overdue for group in counts),
            amber=sum(group.amber for group in counts),
            filters=described(command),
            page=page,
            pages=pages,
            next_command=cmd.with_page(command, page + 1) if page < pages else None,
        )
    )


def page_groups(shown: list[ActionView], counts: dict[tuple[str, str], paging.GroupCount]) -> list[OutstandingGroup]:
    """A page's actions (already in order) as groups, each carrying its whole group's counts."""
    groups: list[OutstandingGroup] = []
    for view in shown:
        if groups and (groups[-1].review_code, groups[-1].agency) == (view.review_code, view.agency):
            groups[-1] = replace(groups[-1], actions=(*groups[-1].actions, view))
            continue
        whole = counts[(view.review_code, view.agency)]
        groups.append(
            OutstandingGroup(view.review_code, view.review_title, view.agency, (view,), whole.overdue, whole.amber)
        )
    return groups
