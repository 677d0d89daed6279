"""Mixed Chinese/English text for seeded rows: names, titles and post bodies.

Bodies are Markdown drawn from a pool rendered once with the app's own renderer
(community/web/markdown.py), so body_html is exactly what the services would store.
"""

import random

BOARDS = [
    ("band", "手环 Band"), ("watch", "手表 Watch"), ("phone", "手机 Phones"),
    ("home", "智能家居 Smart Home"), ("audio", "耳机音箱 Audio"), ("laptop", "笔记本 Laptops"),
    ("camera", "相机 Cameras"), ("scooter", "出行 Scooters"), ("tv", "电视 TV"),
    ("lounge", "综合讨论 Lounge"), ("kitchen", "厨房电器 Kitchen"), ("router", "路由器 Routers"),
]

PRODUCTS_ZH = ["手环", "手表", "手机", "扫地机器人", "智能门锁", "耳机", "音箱", "路由器", "电视",
               "台灯", "空气净化器", "电动牙刷", "平板", "笔记本", "相机", "滑板车", "电饭煲", "体重秤"]
PRODUCTS_EN = ["band", "watch", "phone", "robot vacuum", "smart lock", "earbuds", "speaker",
               "router", "TV", "desk lamp", "air purifier", "toothbrush", "tablet", "laptop",
               "camera", "scooter", "rice cooker", "scale"]
FEATURES_ZH = ["续航提升到 20 天", "NFC 门禁卡", "离线地图", "夜间模式", "快充", "睡眠监测", "血氧检测",
               "自定义表盘", "语音助手", "多设备同步", "防水 50 米", "一次性临时密码", "更薄的机身",
               "静音模式", "儿童锁", "远程控制", "更大的屏幕", "Type-C 接口", "降噪", "定时开关",
               "家人共享", "离家自动布防", "屏幕常亮", "双卡双待", "无线充电", "抬腕亮屏"]
FEATURES_EN = ["longer battery life", "NFC door cards", "offline maps", "a dark mode",
               "fast charging", "better sleep tracking", "blood oxygen alerts", "custom watch faces",
               "a voice assistant", "multi-device sync", "50 m water resistance",
               "one-time passcodes", "a slimmer body", "a quiet mode", "a child lock",
               "remote control", "a bigger screen", "USB-C", "noise cancelling", "schedules",
               "family sharing", "auto arm when leaving", "an always-on display",
               "dual SIM", "wireless charging", "raise to wake"]
TITLES = [
    "希望{pz}支持{fz}", "{pz}能不能加上{fz}？", "建议：{pz}增加{fz}", "【建议】{fz}",
    "Add {fe} to the {pe}", "{PE}: support for {fe}", "Please give the {pe} {fe}",
    "Feature request: {fe} on the {pe}", "{pz} {fe} 功能建议", "{PE} 需要{fz}",
]
THREAD_TITLES = [
    "{pz}用了一个月的感受", "{PE} after a month: my review", "求助：{pz}连不上网",
    "Is the {pe} worth it?", "{pz}和上一代比怎么样？", "Tips for the new {pe}",
    "{pz}固件更新后的变化", "Show your {pe} setup 晒一晒",
]
SYLLABLES = ["li", "wang", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu",
             "sun", "hu", "zhu", "gao", "lin", "he", "guo", "ma", "luo", "mei", "lei", "xiao",
             "ming", "hua", "jun", "fang", "ting", "yu", "hao"]
EN_NAMES = ["alex", "sam", "jamie", "chris", "taylor", "morgan", "robin", "casey", "jordan",
            "kim", "lee", "max", "nico", "pat", "quinn", "sky", "tony", "vera", "will", "zoe"]
ZH_NAMES = ["米粉", "小明", "阿华", "晓雨", "大伟", "静静", "果果", "阿杰", "小鹿", "星星"]

BODIES = [
    "现在大概 **10 天**，希望能到 20 天。\n\n大家平时多久充一次电？",
    "Compared with last year's model the night shots look grainy. Examples:\n\n- street lights\n- indoor",
    "+1，这个功能很需要。",
    "Same here. Any news from the team?",
    "我觉得可以参考一下 [官方文档](https://example.com/docs)，里面有说明。",
    "Tried the pro mode with a longer exposure: `ISO 800, 1/4 s`. Much better.",
    "同样的问题，建议出一款薄款。\n\n> 9.5 cm 还是太高了",
    "1. 打开设置\n2. 进入实验室\n3. 开启 *夜间模式*\n\n就可以了。",
    "Would love this. My use case: cycling to work, then the gym, then home.",
    "支持！希望下一代就能用上。",
    "Here is a table of what I measured:\n\n| mode | hours |\n|---|---|\n| normal | 240 |\n| GPS | 30 |",
    "This would make the **band** the only device I need on a run.",
    "我测的是 15 分钟 62%，晚上充一会儿就够用一天。",
    "Agree with the above. ~~Battery~~ Heat is my real problem though.",
    "这个想法很好，欢迎大家继续补充使用场景。\n\n```\n设置 > 通用 > 实验功能\n```",
    "Thanks, good to know!",
    "有没有人试过和门禁系统配对？我们小区是加密卡。",
    "Please also think about left-handed users: the button placement matters.",
    "老用户了，从一代用到现在，这个需求提了好几次了 😂",
    "If it ships I'll pre-order on day one.",
    "家里有老人和小孩，**儿童锁**真的很重要。",
    "Could be a paid add-on, I would still buy it.",
    "续航和重量怎么平衡？希望官方给个说法。",
    "Works fine for me after the 2.3 firmware update.",
    "建议先出测试版，让社区一起试用。",
    "I wrote a longer review on my blog, the short version: yes, it is worth it.",
    "晒一下我的桌面布置，三块屏加一个音箱。",
    "Any chance of a developer API? I'd build an integration with my home server.",
    "已经提交了工单，等官方回复。",
    "Strongly agree. The current behaviour is confusing for new users.",
    "价格能不能再便宜一点？学生党表示压力很大。",
    "Battery health after one year: 91%. Charging overnight every day.",
    "这个问题我在 @lilei 的帖子里也看到过。",
    "Thread bump: still an issue on the latest version.",
    "期待！第一时间支持。",
    "Design idea: a matte finish would hide fingerprints.",
    "能否增加繁体中文和粤语语音？",
    "Night mode please, my eyes thank you in advance.",
    "官方说在路线图上了，耐心等等吧。",
    "Voted. Here's hoping it makes the next round.",
]


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def _fill(rng, template):
    i = rng.randrange(len(PRODUCTS_ZH))
    j = rng.randrange(len(FEATURES_ZH))
    return template.format(pz=PRODUCTS_ZH[i], pe=PRODUCTS_EN[i], PE=PRODUCTS_EN[i].capitalize(),
                           fz=FEATURES_ZH[j], fe=FEATURES_EN[j])


def idea_title(rng):
    """5 to 120 characters, like the idea form demands."""
    title = _fill(rng, pick(rng, TITLES))
    return title if len(title) >= 5 else title + " 建议"


def thread_title(rng):
    return _fill(rng, pick(rng, THREAD_TITLES))


def username(rng, n):
    """Unique by the number; pinyin, English or Chinese, as a mixed community signs up."""
    style = n % 4
    if style == 0:
        base = pick(rng, SYLLABLES) + pick(rng, SYLLABLES)
    elif style == 1:
        base = pick(rng, EN_NAMES) + "_" + pick(rng, SYLLABLES)
    elif style == 2:
        base = pick(rng, ZH_NAMES)
    else:
        base = pick(rng, EN_NAMES)
    return f"{base}{n}"


class BodyPool:
    """Post bodies and their HTML, rendered once with the app's renderer."""

    def __init__(self):
        from community.web.markdown import render

        self.bodies = list(BODIES)
        self.html = [render(body) for body in self.bodies]

    def draw(self, rng: random.Random):
        k = rng.randrange(len(self.bodies))
        return self.bodies[k], self.html[k]
