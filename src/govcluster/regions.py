"""China's 31 provincial-level divisions and the east/central/west regions.

The regions follow the National Bureau of Statistics' three-belt division: east (11),
central (8) and west (12). Central and west are the less-developed regions of the seed paper.
"""

from __future__ import annotations

import re

import pandas as pd

#: (official Chinese name, short Chinese name, English name, region)
PROVINCES: tuple[tuple[str, str, str, str], ...] = (
    ("北京市", "北京", "Beijing", "east"),
    ("天津市", "天津", "Tianjin", "east"),
    ("河北省", "河北", "Hebei", "east"),
    ("山西省", "山西", "Shanxi", "central"),
    ("内蒙古自治区", "内蒙古", "Inner Mongolia", "west"),
    ("辽宁省", "辽宁", "Liaoning", "east"),
    ("吉林省", "吉林", "Jilin", "central"),
    ("黑龙江省", "黑龙江", "Heilongjiang", "central"),
    ("上海市", "上海", "Shanghai", "east"),
    ("江苏省", "江苏", "Jiangsu", "east"),
    ("浙江省", "浙江", "Zhejiang", "east"),
    ("安徽省", "安徽", "Anhui", "central"),
    ("福建省", "福建", "Fujian", "east"),
    ("江西省", "江西", "Jiangxi", "central"),
    ("山东省", "山东", "Shandong", "east"),
    ("河南省", "河南", "Henan", "central"),
    ("湖北省", "湖北", "Hubei", "central"),
    ("湖南省", "湖南", "Hunan", "central"),
    ("广东省", "广东", "Guangdong", "east"),
    ("广西壮族自治区", "广西", "Guangxi", "west"),
    ("海南省", "海南", "Hainan", "east"),
    ("重庆市", "重庆", "Chongqing", "west"),
    ("四川省", "四川", "Sichuan", "west"),
    ("贵州省", "贵州", "Guizhou", "west"),
    ("云南省", "云南", "Yunnan", "west"),
    ("西藏自治区", "西藏", "Tibet", "west"),
    ("陕西省", "陕西", "Shaanxi", "west"),
    ("甘肃省", "甘肃", "Gansu", "west"),
    ("青海省", "青海", "Qinghai", "west"),
    ("宁夏回族自治区", "宁夏", "Ningxia", "west"),
    ("新疆维吾尔自治区", "新疆", "Xinjiang", "west"),
)

REGIONS: tuple[str, ...] = ("east", "central", "west")
LESS_DEVELOPED_REGIONS: frozenset[str] = frozenset({"central", "west"})

_WHITESPACE = re.compile(r"[\s\u3000\u00a0]+")
_LOOKUP: dict[str, str] = {}
for _official, _short, _english, _region in PROVINCES:
    for _alias in (_official, _short, _english, _english.lower()):
        _LOOKUP[_alias] = _official
REGION_OF: dict[str, str] = {official: region for official, _, _, region in PROVINCES}


def strip_whitespace(value: object) -> object:
    """Remove all whitespace (including full-width spaces) from a string; keep NA as is."""
    if isinstance(value, str):
        return _WHITESPACE.sub("", value)
    return value


def normalise_province(value: object) -> object:
    """Map a province spelling ("浙江", " 浙江省 ", "Zhejiang") to its official name.

    Unknown spellings are returned stripped, so that validation can report them.
    """
    if not isinstance(value, str):
        return value
    stripped = strip_whitespace(value)
    return _LOOKUP.get(stripped, _LOOKUP.get(stripped.lower(), stripped))


def region_of(province: pd.Series) -> pd.Series:
    """Region (east/central/west) of each official province name; NA where unknown."""
    return province.map(REGION_OF).astype("string")
