"""Demo ideas in every status, a merged pair, a live round and a closed one."""

from datetime import timedelta

from sqlalchemy import update

from community.accounts import service as accounts
from community.forum import boards as board_service
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.rounds import service as rounds
from community.rounds.models import Round

TAGS = {"band": ["续航 battery", "NFC", "健康 health", "表盘 faces"],
        "home": ["安全 security", "清洁 cleaning", "灯光 lighting"],
        "phone": ["camera", "battery", "系统 software"]}

# board, author, title, body, tags, status (None: open), official response, votes
IDEAS = [
    ("band", "lilei", "手环续航提升到 20 天", "希望在开启心率监测时也能用 **20 天**。", ["续航 battery"],
     "planned", "续航是下一代的重点，已进入计划。", 9),
    ("band", "meimei", "NFC 门禁卡模拟", "小区门禁卡、公司工卡都能放进手环里。", ["NFC"],
     "in_progress", "We are testing encrypted card emulation with partners.", 8),
    ("band", "fan01", "Swim stroke detection", "Detect freestyle vs breaststroke automatically.",
     ["健康 health"], "shipped", "Shipped in firmware 2.3. Thank you all!", 7),
    ("band", "fan02", "自定义表盘编辑器", "可以自己上传照片、调整字体和颜色。", ["表盘 faces"],
     "under_review", "设计团队正在评估。", 6),
    ("band", "fan03", "Blood oxygen alerts while sleeping", "Wake me if SpO2 drops below a limit.",
     ["健康 health"], None, None, 5),
    ("home", "meimei", "门锁一次性临时密码", "给快递和保洁发只能用一次的密码。", ["安全 security"],
     "planned", "Planned for the next lock firmware.", 7),
    ("home", "lilei", "Slimmer robot vacuum (under 9 cm)", "Most sofas have 9 cm clearance.",
     ["清洁 cleaning"], "declined", "不再增加新机型，但会优化避障。", 4),
    ("home", "fan04", "灯光随日出日落自动调节", "根据所在城市的日出日落时间自动开关灯。",
     ["灯光 lighting"], None, None, 3),
    ("phone", "fan05", "Night mode with less noise", "Night photos look grainy next to last year's.",
     ["camera"], "under_review", "Our camera team is comparing samples.", 6),
    ("phone", "fan06", "充电上限 80% 保护电池", "夜间充电时只充到 80%。", ["battery"], None, None, 5),
]
# A duplicate of the battery-limit idea, merged into it.
DUPLICATE = ("phone", "fan07", "Stop charging at 80 percent", "Protect the battery overnight.",
             ["battery"])

EXTRA_FANS = [f"fan0{i}" for i in range(1, 9)]


def load(users):
    for name in EXTRA_FANS:
        users[name] = accounts.register(name, f"{name}@fanforge.example", f"{name}-demo-pass",
                                        verified=True)
    voters = [users[n] for n in ("lilei", "meimei", *EXTRA_FANS)]
    boards = {b.slug: b for b in board_service.list_boards()}
    for slug, names in TAGS.items():
        ideas.set_board_tags(boards[slug], names)
    staff = users["staff"]
    made = {}
    for slug, author, title, body, tags, status, response, votes in IDEAS:
        idea = ideas.propose(boards[slug], users[author], title, body, tags)
        for voter in voters[:votes]:
            ideas.vote(idea.id, voter)
        if status:
            statuses.change_status(idea.id, staff, status, response)
        made[title] = idea
    forum.reply(made["手环续航提升到 20 天"].thread, users["meimei"], "同意！开了 GPS 也要能撑一周。")
    slug, author, title, body, tags = DUPLICATE
    duplicate = ideas.propose(boards[slug], users[author], title, body, tags)
    ideas.vote(duplicate.id, users["fan08"])
    statuses.merge(duplicate.id, made["充电上限 80% 保护电池"].id, staff, "Same idea, merged.")
    _rounds(boards["band"], staff, users, voters)


def _rounds(board, staff, users, voters):
    now = utcnow()
    closed = rounds.create_round(board, staff, "2026 秋季：手环下一步做什么？",
                                 "Tell us what the next band should do.",
                                 now - timedelta(hours=1), now + timedelta(hours=1), vote_budget=3)
    entries = [ideas.propose(board, users[name], title, "From the autumn round.", round_id=closed.id)
               for name, title in (("fan01", "Offline music on the band"),
                                   ("fan02", "抬腕亮屏更灵敏"), ("fan03", "Sleep naps in reports"))]
    for n, voter in enumerate(voters):
        for entry in entries[: 1 + n % 3]:
            ideas.vote(entry.id, voter)
    # Move the round into the past, then let the service freeze it as it would at its end.
    db.session.execute(update(Round).where(Round.id == closed.id).values(
        starts_at=now - timedelta(days=14), ends_at=now - timedelta(days=7)))
    db.session.commit()
    rounds.close_round(closed.id)
    rounds.write_summary(closed.id, staff, "Thanks to everyone who voted! **Offline music** wins.")
    rounds.accept_ideas(closed.id, staff, [entries[0].id])
    live = rounds.create_round(board, staff, "Winter wish list 冬季心愿单",
                               "What should the band do better in the cold?",
                               now - timedelta(hours=2), now + timedelta(days=5), vote_budget=5)
    for name, title in (("lilei", "手套模式：戴手套也能操作"), ("meimei", "Battery saver below 0 °C")):
        entry = ideas.propose(board, users[name], title, "For the winter round.", round_id=live.id)
        for voter in voters[:4]:
            ideas.vote(entry.id, voter)
