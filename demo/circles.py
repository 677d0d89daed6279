"""Demo circles: an open interest circle, a city club with an upcoming meetup (and a request
waiting for its moderators), and a private circle its members reach by invitation.
Registered with `flask --app app demo load`; everything goes through the services, as a
fan's clicks would."""

from datetime import timedelta

from sqlalchemy import update

from community.accounts.models import User
from community.circles import events, invites, service, threads
from community.forum import service as forum
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db

# Starting a circle needs a level. A demo owner short of it gets the points a few weeks of
# activity would earn; the ledger rebuild that ends `demo load` then sets every fan's points
# back to what their demo activity earned, so nothing made up is left behind.
OWNER_POINTS = 80


def _owner(user):
    if user.is_staff or user.level.number >= service.min_level():
        return user
    with transaction():
        db.session.execute(update(User).where(User.id == user.id, User.points < OWNER_POINTS)
                           .values(points=OWNER_POINTS))
    return db.session.get(User, user.id, populate_existing=True)


def _invite_all(circle, owner, people):
    invite = invites.create_invite(circle, owner, 24, max(1, len(people)))
    for person in people:
        service.join(circle, person, invite.token)


def load(users):
    if not {"lilei", "meimei", "fan01", "fan02", "fan03", "fan04"} <= set(users):
        return
    lilei, meimei = _owner(users["lilei"]), _owner(users["meimei"])
    fans = [users[f"fan0{i}"] for i in range(1, 5)]

    tinkerers = service.create_circle(
        meimei, "手环玩家 Band tinkerers", "band-tinkerers",
        "表带、表盘、固件：分享你的改装。Straps, watch faces and firmware: show your mods.",
        kind="interest", visibility="open")
    for person in (lilei, *fans[:3]):
        service.join(tinkerers, person)
    thread = threads.create_thread(tinkerers, meimei, "晒晒你的表盘 Show your watch face",
                                   "我先来：极简黑 + 步数。Mine first: plain black with steps.")
    forum.reply(thread, lilei, "我用的是像素风！Pixel art here.")
    forum.reply(thread, fans[0], "求分享 @meimei 的表盘文件")

    club = service.create_circle(
        lilei, "上海米粉同城会 Shanghai fan club", "shanghai-fans",
        "上海的米粉，线下见！Fans in Shanghai: let's meet.", kind="city", city="上海",
        visibility="approval")
    _invite_all(club, lilei, [meimei, *fans[:3]])
    service.set_moderator(club, lilei, meimei.id)
    service.join(club, fans[3])  # a request for the moderators to approve
    starts = (utcnow() + timedelta(days=9)).replace(hour=6, minute=0, second=0, microsecond=0)
    meetup = events.create_event(
        club, lilei, "外滩夜跑 Night run on the Bund",
        "跑 5 公里，然后喝奶茶。5 km, then bubble tea. 带上你的手环！", "外滩 The Bund, 陈毅广场",
        starts, starts + timedelta(hours=2), capacity=8)
    for person in (lilei, meimei, fans[0]):
        events.rsvp(meetup.id, person)

    hush = service.create_circle(
        meimei, "内测小组 Beta testers", "beta-testers",
        "固件内测，请勿外传。Firmware betas: what is said here stays here.",
        kind="interest", visibility="private")
    _invite_all(hush, meimei, [lilei, fans[1]])
    threads.create_thread(hush, meimei, "3.2 beta 反馈 Feedback on 3.2",
                          "续航有改善吗？Is battery life better for you?")
