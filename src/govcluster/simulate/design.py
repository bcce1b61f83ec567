"""Constructs, indicators and units of the simulated raw data (the measurement design)."""

from __future__ import annotations

from dataclasses import dataclass

from govcluster import columns

#: The six mechanisms, in the order of the parameters ``a`` and ``b``.
MECHANISMS: tuple[str, ...] = ("OPEN", "COOP", "ABSORB", "INNOV", "BRAND", "SOCAP")
TREATMENT = "GOV"
OUTCOME = "SCA"
#: Default master seed (the ``seed`` of config/config.yaml).
DEFAULT_SEED = 20240601
MONEY_UNIT_DEFAULT = "万元"
MONEY_UNIT_LARGE = "亿元"
#: 万元 per 亿元.
WAN_PER_YI = 1e4
#: Horizons (years after a one-off change of GOV) reported in the horizon profile.
PROFILE_HORIZONS = 5

#: Industries: key written in the ``industry`` column -> Chinese word used in the name.
INDUSTRIES: dict[str, str] = {
    "plastics": "塑料",
    "low_voltage_electrical": "低压电器",
    "textiles": "纺织",
    "footwear": "制鞋",
    "furniture": "家具",
    "electronics": "电子信息",
    "auto_parts": "汽车零部件",
    "ceramics": "陶瓷",
    "hardware": "五金",
    "pharmaceuticals": "医药",
}

#: Real cities, counties and districts of each province, used in cluster names.
CITIES: dict[str, tuple[str, ...]] = {
    "北京市": ("顺义", "大兴", "通州", "昌平"),
    "天津市": ("静海", "武清", "宝坻", "滨海"),
    "河北省": ("白沟", "清河", "安平", "辛集", "沧州"),
    "山西省": ("太原", "晋城", "长治", "大同"),
    "内蒙古自治区": ("包头", "鄂尔多斯", "呼和浩特", "赤峰"),
    "辽宁省": ("沈阳", "大连", "鞍山", "海城"),
    "吉林省": ("长春", "吉林", "辽源", "通化"),
    "黑龙江省": ("哈尔滨", "大庆", "齐齐哈尔", "牡丹江"),
    "上海市": ("嘉定", "松江", "青浦", "金山"),
    "江苏省": ("常熟", "昆山", "江阴", "吴江", "丹阳", "宜兴"),
    "浙江省": ("余姚", "乐清", "义乌", "永康", "温州", "绍兴", "慈溪"),
    "安徽省": ("合肥", "芜湖", "宁国", "桐城"),
    "福建省": ("晋江", "石狮", "德化", "泉州", "莆田"),
    "江西省": ("南昌", "景德镇", "赣州", "南康"),
    "山东省": ("淄博", "潍坊", "临沂", "寿光", "即墨"),
    "河南省": ("郑州", "许昌", "长垣", "新乡"),
    "湖北省": ("武汉", "十堰", "襄阳", "仙桃"),
    "湖南省": ("长沙", "株洲", "醴陵", "邵东"),
    "广东省": ("佛山", "东莞", "中山", "顺德", "潮州", "汕头"),
    "广西壮族自治区": ("柳州", "玉林", "南宁", "桂林"),
    "海南省": ("海口", "三亚", "儋州"),
    "重庆市": ("永川", "璧山", "涪陵", "江津"),
    "四川省": ("成都", "绵阳", "德阳", "宜宾"),
    "贵州省": ("贵阳", "遵义", "安顺"),
    "云南省": ("昆明", "玉溪", "曲靖"),
    "西藏自治区": ("拉萨", "日喀则", "林芝"),
    "陕西省": ("西安", "宝鸡", "咸阳"),
    "甘肃省": ("兰州", "天水", "金昌"),
    "青海省": ("西宁", "海东", "格尔木"),
    "宁夏回族自治区": ("银川", "石嘴山", "吴忠"),
    "新疆维吾尔自治区": ("乌鲁木齐", "石河子", "昌吉", "喀什"),
}


@dataclass(frozen=True)
class IndicatorDesign:
    """How one observed indicator measures its construct.

    Attributes
    ----------
    name : str
        Column of the raw data (a key of ``variables`` in config/config.yaml).
    construct : str
        The latent construct it measures.
    direction : int
        +1 if the indicator increases in the construct, -1 if it decreases.
    kind : str
        Kind of variable as in the configuration (money, count, share, amount, score, real).
    centre : float
        Median of the indicator, in its unit (real 万元 for money, percent for shares).
    spread : float
        Standard deviation on the link scale (log for money, count and amount; logit for share
        and score; the unit itself for real).
    decimals : int
        Decimals written in the raw file (0 for counts).
    lower, upper : float or None
        Bounds of a score or real indicator.
    """

    name: str
    construct: str
    direction: int
    kind: str
    centre: float
    spread: float
    decimals: int
    lower: float | None = None
    upper: float | None = None


#: Measurement design of every indicator, in the order of config/config.yaml.
INDICATORS: tuple[IndicatorDesign, ...] = (
    IndicatorDesign("gov_subsidy", "GOV", 1, "money", 1500.0, 0.6, 2),
    IndicatorDesign("gov_infrastructure", "GOV", 1, "money", 6000.0, 0.6, 2),
    IndicatorDesign("gov_platforms", "GOV", 1, "count", 8.0, 0.5, 0),
    IndicatorDesign("gov_talent_programmes", "GOV", 1, "count", 12.0, 0.5, 0),
    IndicatorDesign("export_share", "OPEN", 1, "share", 25.0, 0.8, 2),
    IndicatorDesign("foreign_firm_share", "OPEN", 1, "share", 12.0, 0.8, 2),
    IndicatorDesign("intl_certifications", "OPEN", 1, "count", 30.0, 0.6, 0),
    IndicatorDesign("foreign_partners", "OPEN", 1, "count", 20.0, 0.6, 0),
    IndicatorDesign("coop_agreements", "COOP", 1, "count", 45.0, 0.5, 0),
    IndicatorDesign("alliance_share", "COOP", 1, "share", 30.0, 0.7, 2),
    IndicatorDesign("leading_firm_links", "COOP", 1, "count", 35.0, 0.5, 0),
    IndicatorDesign("price_war_incidents", "COOP", -1, "count", 6.0, 0.5, 0),
    IndicatorDesign("rd_staff_share", "ABSORB", 1, "share", 6.0, 0.6, 2),
    IndicatorDesign("training_spend_per_worker", "ABSORB", 1, "amount", 900.0, 0.5, 2),
    IndicatorDesign("univ_coop_projects", "ABSORB", 1, "count", 12.0, 0.6, 0),
    IndicatorDesign("patents_per_10k", "INNOV", 1, "amount", 25.0, 0.7, 2),
    IndicatorDesign("new_product_share", "INNOV", 1, "share", 18.0, 0.7, 2),
    IndicatorDesign("incubators", "INNOV", 1, "count", 5.0, 0.5, 0),
    IndicatorDesign("vc_investment", "INNOV", 1, "money", 3000.0, 0.6, 2),
    IndicatorDesign("collective_trademarks", "BRAND", 1, "count", 4.0, 0.5, 0),
    IndicatorDesign("famous_trademarks", "BRAND", 1, "count", 6.0, 0.6, 0),
    IndicatorDesign("quality_cert_share", "BRAND", 1, "share", 45.0, 0.7, 2),
    IndicatorDesign("inspection_failure_rate", "BRAND", -1, "share", 6.0, 0.6, 2),
    IndicatorDesign("association_density", "SOCAP", 1, "share", 55.0, 0.7, 2),
    IndicatorDesign("trust_score", "SOCAP", 1, "score", 6.5, 0.6, 2, 0.0, 10.0),
    IndicatorDesign("contract_dispute_rate", "SOCAP", -1, "amount", 3.0, 0.5, 2),
    IndicatorDesign("market_share", "SCA", 1, "share", 1.5, 0.6, 3),
    IndicatorDesign("export_rca", "SCA", 1, "amount", 1.2, 0.5, 3),
    IndicatorDesign("labour_productivity", "SCA", 1, "amount", 25.0, 0.5, 2),
    IndicatorDesign("profit_margin", "SCA", 1, "real", 7.0, 4.0, 2, -100.0, 100.0),
)

#: Non-indicator numeric columns of the raw data: name -> (kind, decimals written).
OTHER_VARIABLES: dict[str, tuple[str, int]] = {
    "demo_cluster": ("binary", 0),
    "iv_fiscal_shock": ("real", 4),
    "cpi": ("amount", 2),
    "employment": ("count", 0),
    "n_firms": ("count", 0),
    "founding_year": ("real", 0),
    "gdp_per_capita": ("amount", 0),
}

#: Decimals of money cells in rows reported in 亿元.
YI_DECIMALS = 6
#: Kinds whose cells may carry x100 typos and thousands separators.
UNBOUNDED_KINDS = frozenset({"money", "count", "amount"})
#: Descriptive columns of the raw data, first in every row.
DESCRIPTIVE_COLUMNS: tuple[str, ...] = (
    columns.ENTITY,
    columns.NAME,
    columns.PROVINCE,
    columns.INDUSTRY,
    columns.TIME,
    columns.MONEY_UNIT,
)
#: Controls entering the SCA equation (names as in the ``controls`` of the configuration).
CONTROLS: tuple[str, ...] = ("ln_employment", "ln_firms", "cluster_age", "ln_gdp_pc")


def raw_variable_columns() -> tuple[str, ...]:
    """Numeric columns of the raw data, in the order of config/config.yaml."""
    indicators = tuple(spec.name for spec in INDICATORS)
    head = ("demo_cluster", "iv_fiscal_shock", "cpi")
    tail = ("employment", "n_firms", "founding_year", "gdp_per_capita")
    return head + indicators + tail


def _variable_kinds() -> dict[str, str]:
    kinds = {spec.name: spec.kind for spec in INDICATORS}
    kinds.update({name: kind for name, (kind, _) in OTHER_VARIABLES.items()})
    return kinds


def _variable_decimals() -> dict[str, int]:
    decimals = {spec.name: spec.decimals for spec in INDICATORS}
    decimals.update({name: digits for name, (_, digits) in OTHER_VARIABLES.items()})
    return decimals
