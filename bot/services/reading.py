"""The commands that read: mine, list, show, history and the chair's outstanding view."""

from __future__ import annotations

from dataclasses import replace

from bot import commands as cmd
from bot.services import queries
from bot.services.context import Context
from bot.services.listing import outstanding_groups, page_of, paginate_groups
from bot.services.presentation import action_view, history_entry
from bot.views import ActionDetail, ActionList, ActionView, History, Outstanding, Reply
from storage.models import Action


def views(context: Context, actions: list[Action]) -> list[ActionView]:
    """Actions as people see them today, with their waiting extension requests (one query)."""
    pending = queries.pending_extensions(context.session, (action.id for action in actions))
    today = context.today()
    return [action_view(action, today, context.settings, pending.get(action.id)) for action in actions]


def one_view(context: Context, action: Action) -> ActionView:
    return views(context, [action])[0]


def described(command: cmd.Listing) -> str:
    """A listing's filters for its title: `` (review CC, overdue)``, or '' when there are none."""
    words = cmd.describe_filters(command)
    return f" ({words})" if words else ""


def action_list(context: Context, actions: list[Action], title: str, command: cmd.Listing) -> ActionList:
    """One page of a listing, with the command that shows the next."""
    shown, page = page_of(actions, command.page)
    return ActionList(
        title=title,
        actions=tuple(views(context, shown)),
        page=page.number,
        pages=page.pages,
        total=len(actions),
        next_command=cmd.with_page(command, page.number + 1) if page.has_next else None,
    )


def mine(context: Context, command: cmd.Mine) -> Reply:
    actions = queries.owned_open_actions(context.session, context.actor.id)
    listing = action_list(context, actions, f"Your actions, {context.actor.name}", command)
    return Reply(replace(listing, empty="You have no open actions. Nothing to do!"))


def list_actions(context: Context, command: cmd.ListActions) -> Reply:
    actions = queries.filtered_actions(context.session, context.actor, command, context.today())
    return Reply(action_list(context, actions, f"Actions{described(command)}", command))


def show(context: Context, command: cmd.Show) -> Reply:
    action = queries.action_by_ref(context.session, command.ref)
    recent = queries.updates(context.session, action.id, newest=5)
    timezone = context.settings.timezone
    return Reply(ActionDetail(one_view(context, action), tuple(history_entry(u, timezone) for u in recent)))


def history(context: Context, command: cmd.History) -> Reply:
    action = queries.action_by_ref(context.session, command.ref)
    timezone = context.settings.timezone
    entries = tuple(history_entry(u, timezone) for u in queries.updates(context.session, action.id))
    return Reply(History(action.ref, entries))


def outstanding(context: Context, command: cmd.Outstanding) -> Reply:
    listed = views(context, queries.outstanding_actions(context.session, command.review, command.agency))
    groups = outstanding_groups(listed)
    pages = paginate_groups(groups)
    page = min(max(1, command.page), len(pages))
    return Reply(
        Outstanding(
            groups=tuple(pages[page - 1]),
            total=len(listed),
            overdue=sum(group.overdue for group in groups),
            amber=sum(group.amber for group in groups),
            filters=described(command),
            page=page,
            pages=len(pages),
            next_command=cmd.with_page(command, page + 1) if page < len(pages) else None,
        )
    )
