"""`flask --app app demo load`: a brand's community to click around in.

Loads through the services, so counters and derived rows are exactly what real
use would produce: the forum here, then ideas and rounds, circles, the store, a shared
product card, and last the engagement a few weeks of use would have left.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from community.accounts import service as accounts
from community.accounts.models import User
from community.forum import boards as board_service
from community.forum import service as forum
from community.kernel.extensions import db

from . import avatars, circles, engagement, ideas, share, store

demo = AppGroup("demo", help="Demo data for trying Fanforge out.")

LOGINS = [
    # username, email, password, role
    ("admin", "admin@fanforge.example", "admin-pass-2026", "admin"),
    ("staff", "staff@fanforge.example", "staff-pass-2026", "staff"),
    ("lilei", "lilei@fanforge.example", "fan-pass-2026", "fan"),
    ("meimei", "meimei@fanforge.example", "fan-pass-2026", "fan"),
]

BOARDS = [
    ("band", "手环 Band", "运动手环与智能手表：功能建议、使用心得。Fitness bands and watches."),
    ("home", "智能家居 Smart Home", "灯、门锁、扫地机器人……Lights, locks, robot vacuums."),
    ("phone", "Phones 手机", "Cameras, batteries, software. 相机、续航、系统。"),
    ("lounge", "综合讨论 Lounge", "Anything else, in any language. 闲聊灌水。"),
]

# board, author, title, body, [(author, reply), ...]
THREADS = [
    ("band", "lilei", "手环续航能不能再长一点？", "现在大概 **10 天**，希望能到 20 天。\n\n大家平时多久充一次电？",
     [("meimei", "我开了心率监测，一周一充。"), ("staff", "收到，续航是下一代的重点。")]),
    ("band", "meimei", "NFC 门禁卡模拟", "希望手环能模拟小区的 NFC 门禁卡，出门不用带卡。",
     [("lilei", "+1，加密卡也能支持就好了。")]),
    ("band", "lilei", "Sleep tracking accuracy", "Does anyone else see *naps* missing from the sleep report?",
     [("meimei", "Yes, anything under 30 minutes is dropped."), ("lilei", "Thanks, good to know.")]),
    ("home", "meimei", "Robot vacuum keeps getting stuck under the sofa", "Mine is 9.5 cm tall; the sofa has 9 cm clearance. A slimmer model, please!",
     [("lilei", "同样的问题，建议出一款薄款。")]),
    ("home", "lilei", "智能门锁的临时密码", "给来访的朋友发一个只能用一次的密码，这个功能大家需要吗？",
     [("meimei", "很需要，快递和保洁都能用。"), ("staff", "这个想法很好，欢迎去创意区提交。")]),
    ("home", "staff", "欢迎来到智能家居版 Welcome to Smart Home", "发帖前请先搜索，避免重复。Please search before you post.",
     []),
    ("phone", "meimei", "Night mode photos are too noisy", "Compared with last year's model the night shots look grainy. Examples below:\n\n- street lights\n- indoor",
     [("lilei", "Try the pro mode with a longer exposure."), ("meimei", "That helps, thanks.")]),
    ("phone", "lilei", "充电 15 分钟能到多少？", "想知道新机的快充实际表现。",
     [("meimei", "我测的是 15 分钟 62%。")]),
    ("phone", "meimei", "Battery health after one year", "Mine reads 91%. What about yours?",
     [("lilei", "88% here, charging overnight every day.")]),
    ("lounge", "lilei", "自我介绍：来自杭州的米粉", "大家好，我是李雷，用了 5 年手环。",
     [("meimei", "欢迎欢迎！"), ("admin", "欢迎加入 Fanforge。")]),
    ("lounge", "meimei", "Meetup in Shanghai?", "Anyone up for a fan meetup in Shanghai next month?",
     [("lilei", "我可以来！")]),
    ("lounge", "admin", "社区规则 Community rules", "1. 友善交流 Be kind.\n2. 不发广告 No ads.\n3. 一帖一事 One topic per thread.",
     []),
]

def print_logins():
    click.echo("Demo logins (username / password):")
    for username, _email, password, role in LOGINS:
        click.echo(f"  {role:<6} {username:<8} {password}")


@demo.command("load")
def load():
    """Load the demo community (does nothing if it is already there)."""
    if db.session.scalar(select(User.id).where(User.username_key == LOGINS[0][0])):
        click.echo("Demo data is already loaded.")
        print_logins()
        return
    # Demo accounts come with confirmed addresses: they post straight away.
    users = {name: accounts.register(name, email, password, role, verified=True)
             for name, email, password, role in LOGINS}
    boards = {slug: board_service.create_board(name, slug, description)
              for slug, name, description in BOARDS}
    for slug, author, title, body, replies in THREADS:
        thread = forum.create_thread(boards[slug], users[author], title, body)
        for reply_author, text in replies:
            forum.reply(thread, users[reply_author], text)
    for part in (ideas, circles, store, share, engagement, avatars):
        part.load(users)
    click.echo(f"Loaded {len(BOARDS)} boards and {len(THREADS)} threads.")
    print_logins()
