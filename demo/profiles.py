"""The four seed-calibrated county profiles (``Profile``, ``PROFILES``: 高青, 平顺, 壶关, 武乡, each calibrated
on a county report of ``../shared/domain/GLOSSARY.md`` §8) and the word pools the generator draws
names from (surnames, given names, compound and village names, roads, bureaus, enterprise words,
volunteer teams, special groups, phone prefixes, credit-code characters)."""
from __future__ import annotations

from dataclasses import dataclass


# --- profiles -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """A county's calibration: what its report states (kept exact at scale 1) and plausible rest."""

    key: str
    county: str
    province: str
    city: str
    seed_report: str
    #: first six digits of its residents' ID cards, and its telephone area code
    region_code: str
    area_code: str
    lat: float
    lon: float
    streets: tuple[tuple[str, str], ...]  # (name, kind 街道/镇/乡)
    street_org: tuple[str, str, str]  # (kind, function, tier name) of the street's party organisation
    community_org: tuple[str, str]  # (kind, tier name) of a community's party organisation
    grid_branch_tier: str  # tier name of a basic grid's branch
    group_tier: str  # tier name of a building party group
    chain: str  # the county's chain wording
    communities: int
    households: int
    compounds: int
    compound_kinds: tuple[tuple[str, int], ...]
    #: grid levels top-down: (level name, count); the last level holds the basic grids (COVERS)
    grid_levels: tuple[tuple[str, int], ...]
    #: stated number of basic-grid branches (then basic grids = branches + planted R01 grids)
    grid_branches: int | None = None
    #: a basic grid's branch is also the compound branch of big compounds in it (小区(网格)党支部)
    branch_is_compound_branch: bool = False
    building_leaders: int | None = None
    red_leaders: int | None = None
    unit_leaders: int | None = None
    buildings: int | None = None  # when building leaders are not stated
    units_per_building: float = 2.4
    full_time_workers: int | None = None
    branch_secretaries: int | None = None
    street_leaders: int = 8
    units_reported: int = 40
    reported_members: int = 1000
    owners_committees: int | None = None
    management_committees: int | None = None
    #: service sites besides one 党群服务中心 per community: (kind, count, where: compound|community)
    sites: tuple[tuple[str, int, str], ...] = ()
    volunteer_teams: int = 20
    volunteers: int = 1500
    buildings_per_group: int = 1
    party_groups: int | None = None  # stated number of building party groups
    party_centre: int | None = None  # stated number of party-centre households
    company_own_branches: int = 8
    company_joint_branches: int = 3
    company_instructors: int = 4
    self_managed: int = 3
    other_units: int = 12  # units that did not report (upper-level units, enterprises)
    notes: str = ""


PROFILES: dict[str, Profile] = {p.key: p for p in (
    Profile(
        "gaoqing", "高青县", "山东省", "淄博市", "003 (000)", "370322", "0533", 37.17, 117.83,
        (("芦湖街道", "街道"), ("田镇街道", "街道")),
        ("党工委", "街道", "街道党工委"), ("党总支", "社区党总支"), "网格党支部", "楼栋（单元）党小组",
        "街道党工委—社区党总支—网格党支部—楼栋（单元）党小组",
        communities=10, households=39_327, compounds=105,
        compound_kinds=(("大产权小区", 58), ("村建小区", 17), ("单位家属小区", 24), ("老旧小区", 6)),
        grid_levels=(("基础网格", 134),),
        building_leaders=1315, red_leaders=233, unit_leaders=1569, full_time_workers=138,
        branch_secretaries=118, street_leaders=15, units_reported=80, reported_members=2921,
        owners_committees=66, sites=(("红色驿站", 57, "compound"), ("青蜂驿站", 9, "community")),
        volunteer_teams=37, volunteers=3650, buildings_per_group=1, party_centre=380,
        company_own_branches=9, company_joint_branches=3, company_instructors=5, self_managed=3,
        other_units=14, notes="10个社区、105个小区、134个网格、楼长1315人（红色楼长233人）、单元长1569人、"
                              "专职网格员138人、80个单位2921名在职党员报到、业委会66个、千乘红驿站57个、青蜂驿站9个"),
    Profile(
        "pingshun", "平顺县", "山西省", "长治市", "002 (平顺)", "140425", "0355", 36.20, 113.43,
        (("青羊镇", "镇"),),
        ("党委", "乡镇", "镇党委"), ("党委", "社区党委"), "网格党支部", "楼栋党小组",
        "社区党委—网格党支部—楼栋党小组—党员单元长—党员中心户",
        communities=4, households=15_600, compounds=62,
        compound_kinds=(("大产权小区", 30), ("村建小区", 16), ("单位家属小区", 12), ("老旧小区", 4)),
        grid_levels=(("一级网格", 4), ("二级网格", 17), ("三级网格", 121)),
        buildings=390, units_per_building=2.5, street_leaders=5, units_reported=46, reported_members=1720,
        sites=(("网格驿站", 17, "community"), ("党群服务点", 26, "compound")),
        volunteer_teams=12, volunteers=900, buildings_per_group=3, party_centre=160,
        company_own_branches=4, company_joint_branches=2, company_instructors=3, self_managed=2, other_units=8,
        notes="三级网格4/17/121、网格党群服务站17个、服务点26个、1720名报到党员全部编入；每三个楼宇设立一个党小组"),
    Profile(
        "huguan", "壶关县", "山西省", "长治市", "002 (壶关)", "140427", "0355", 36.11, 113.21,
        (("龙泉镇", "镇"), ("城南街道", "街道")),
        ("党委", "乡镇", "镇党委"), ("党委", "社区党委"), "网格党支部", "楼栋党小组",
        "镇党委（街道党工委）—社区党委—网格党支部—楼栋党小组",
        communities=9, households=35_800, compounds=115,
        compound_kinds=(("大产权小区", 40), ("村建小区", 33), ("单位家属小区", 42)),
        grid_levels=(("一级网格", 9), ("二级网格", 150)),
        buildings=760, units_per_building=2.4, street_leaders=9, units_reported=52, reported_members=1900,
        owners_committees=16, management_committees=99,
        sites=(("党群服务站", 30, "compound"), ("城市驿站", 6, "community")),
        volunteer_teams=18, volunteers=1600, buildings_per_group=2, party_centre=300,
        company_own_branches=7, company_joint_branches=4, company_instructors=4, self_managed=4, other_units=10,
        notes="115个小区（大产权40、村建33、单位家属42）、业委会16个+物管会99个、物业企业单独党支部7个、"
              "联合党支部4个、党建指导员4名；4个无物业小区自管"),
    Profile(
        "wuxiang", "武乡县", "山西省", "长治市", "002 (武乡)", "140429", "0355", 36.84, 112.86,
        (("丰州镇", "镇"),),
        ("党委", "乡镇", "乡镇党委"), ("党委", "社区党委"), "小区(网格)党支部", "楼栋党小组",
        "乡镇党委—社区党委—小区(网格)党支部—楼栋党小组—党员中心户",
        communities=8, households=19_800, compounds=102,
        compound_kinds=(("大产权小区", 44), ("村建小区", 26), ("单位家属小区", 32)),
        grid_levels=(("一级网格", 8), ("二级网格", 32)), grid_branches=32, branch_is_compound_branch=True,
        buildings=430, units_per_building=2.3, street_leaders=5, units_reported=60, reported_members=2300,
        owners_committees=8, management_committees=94,
        sites=(("小区党群服务站", 38, "compound"), ("志愿服务站", 46, "community")),
        volunteer_teams=16, volunteers=1400, party_groups=241, party_centre=512,
        company_own_branches=5, company_joint_branches=2, company_instructors=3, self_managed=3, other_units=8,
        notes="102个小区、小区(网格)党支部32个、楼栋党小组241个、党员中心户500余户、小区党群服务站38个、"
              "2300名在职党员报到、业委会8个+物管会94个"),
)}


SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
            "牛申郭焦霍侯")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红海燕玉春梅俊峰晓东文博子涵雨轩浩然欣怡佳琪"
         "思远宇航梓萱一鸣鹏飞慧颖立新秀英振华德福永庆丽萍淑珍凤兰文斌宏伟学军爱国卫东金花瑞雪晨阳"
         "嘉怡子墨梦琪天佑雅静国强建平")
NAME_PREFIX = "和锦泰福康瑞盛华翠阳嘉祥鑫金丰安宁怡景绿荣兴富蓝明新御滨湖春秋恒信德润颐馨悦雅逸书"
NAME_SECOND = "园苑城府庭居馨湾郡邸苑轩阁林景汇都"
COMPOUND_SUFFIX = ("小区", "花园", "家园", "苑", "新城", "雅居", "佳苑", "名邸")
VILLAGES = ("东关", "西关", "南关", "北关", "前街", "后街", "大王庄", "李家庄", "张家营", "刘家屯", "马家寨", "新庄", "小河店",
            "东营", "西营", "南营", "北营", "高庄", "孙家村", "赵家庄", "陈家坊", "周家堡", "杨家湾", "吴家窑", "郭家沟",
            "石桥", "柳林", "枣园", "桃园", "杏林", "槐树庄", "榆树坪", "河东", "河西", "城关", "西坡", "东坡", "前进", "红旗")
ROADS = ("青城路", "黄河路", "高苑路", "鲁泰大道", "芦湖路", "花沟路", "府前街", "民安路", "文化路", "建设路", "人民路",
         "解放路", "新华街", "太行路", "漳河路", "龙泉路", "丰州路", "胜利街", "迎宾路", "东风路", "育才路", "振兴街",
         "朝阳路", "北环路", "南环路", "工业路", "滨河路", "体育路", "长安街", "和平路")
BUREAUS = (("县委组织部", "党政机关"), ("县委宣传部", "党政机关"), ("县政府办公室", "党政机关"), ("县发展和改革局", "党政机关"),
           ("县教育和体育局", "党政机关"), ("县公安局", "党政机关"), ("县民政局", "党政机关"), ("县司法局", "党政机关"),
           ("县财政局", "党政机关"), ("县人力资源和社会保障局", "党政机关"), ("县自然资源局", "党政机关"),
           ("县住房和城乡建设局", "党政机关"), ("县交通运输局", "党政机关"), ("县水利局", "党政机关"),
           ("县农业农村局", "党政机关"), ("县商务局", "党政机关"), ("县文化和旅游局", "党政机关"),
           ("县卫生健康局", "党政机关"), ("县退役军人事务局", "党政机关"), ("县应急管理局", "党政机关"),
           ("县审计局", "党政机关"), ("县市场监督管理局", "党政机关"), ("县统计局", "党政机关"), ("县医疗保障局", "党政机关"),
           ("县综合行政执法局", "党政机关"), ("县行政审批服务局", "党政机关"), ("县信访局", "党政机关"),
           ("县总工会", "群团组织"), ("团县委", "群团组织"), ("县妇联", "群团组织"), ("县残联", "群团组织"),
           ("县科协", "群团组织"), ("县人民医院", "事业单位"), ("县中医院", "事业单位"), ("县妇幼保健院", "事业单位"),
           ("县第一中学", "事业单位"), ("县第二中学", "事业单位"), ("县实验小学", "事业单位"), ("县职业中专", "事业单位"),
           ("县融媒体中心", "事业单位"), ("县图书馆", "事业单位"), ("县疾病预防控制中心", "事业单位"),
           ("县供电公司", "国有企业"), ("县自来水公司", "国有企业"), ("县热力公司", "国有企业"), ("县燃气公司", "国有企业"),
           ("县农商银行", "国有企业"), ("县邮政分公司", "国有企业"), ("县移动分公司", "国有企业"),
           ("县联通分公司", "国有企业"), ("县电信分公司", "国有企业"), ("县城投集团", "国有企业"),
           ("县公交公司", "国有企业"), ("县粮食储备库", "国有企业"), ("县烟草专卖局", "国有企业"),
           ("县税务局", "党政机关"), ("县气象局", "党政机关"), ("县人民法院", "党政机关"), ("县人民检察院", "党政机关"),
           ("县消防救援大队", "党政机关"))
ENTERPRISE_WORDS = "鑫源恒泰华盛宏达金诚永兴瑞丰博远天成广源昌盛德隆"
TEAM_KINDS = ("党员志愿服务队", "巾帼志愿服务队", "青年志愿服务队", "银龄志愿服务队", "平安志愿服务队", "文明实践志愿服务队")
SPECIAL_WEIGHTS = (("独居老人", 20), ("空巢老人", 18), ("高龄老人", 14), ("残疾人", 12), ("低保户", 12), ("特困人员", 4),
                   ("留守儿童", 5), ("困境儿童", 3), ("重病患者", 5), ("优抚对象", 4), ("困难户", 3))
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                  "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
                  "199")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
