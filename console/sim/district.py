"""The demo district's geography, generated from a seed: streets, communities, cells, addresses.

No real boundaries are available offline, so the geometry is made up — but laid out inside the
district's real extent (30.62–30.74 N, 104.06–104.20 E), with its 14 real sub-districts (街道)
roughly where they lie, inner-city grids denser than the outskirts, and roads, estates, patrol
checkpoints and cameras named the way Chengdu names them. ``python -m console.sim.district`` writes:

- ``streets.geojson``, ``communities.geojson``, ``grid_cells.geojson`` — what
  ``console.domain.geography.Geography.from_files`` reads;
- ``gazetteer.json`` — addresses (road + house number, residential estates) for geocoding at intake;
- ``checkpoints.json`` — electronic patrol checkpoints (电子巡更点), a few per community;
- ``cameras.json`` — cameras at road junctions and squares.

How the geometry is made (every step draws from one ``random.Random(seed)``, so the same seed gives
the same bytes):

1. an irregular district outline around hand-placed anchor points;
2. 1,500 grid-cell seeds, denser towards the old town in the south-west, moved by two rounds of
   Lloyd relaxation; their Voronoi edges and the outline are noded together on a 1e-5° grid and
   polygonized, so neighbouring cells share exactly the same vertices, before and after rounding;
3. cells are grouped into streets by growing regions from 14 street seeds over the graph of cells
   that share an edge, then each street's cells into communities the same way — so every street
   and community is one connected polygon and the three levels nest exactly.

Work happens in a local kilometre frame (Voronoi cells are round there, not stretched by the
longitude scale) and is converted to degrees only for the output.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.ops import substring
from shapely.strtree import STRtree

from console.domain.geography import Geography

__all__ = ["DEFAULT_SEED", "District", "generate", "main", "outline", "render", "write"]

DEFAULT_SEED = 96966  # the district hotline's number
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "resources" / "geography"
EXTENT = (30.62, 104.06, 30.74, 104.20)  # south, west, north, east
GRID = 1e-5  # degrees; every output coordinate lies on this grid (about a metre)
CELLS = 1500
COMMUNITY_CELLS = 15  # the average community's number of grid cells

LAT0, LON0 = 30.68, 104.13
KX = 111.320 * math.cos(math.radians(LAT0))  # km per degree of longitude here
KY = 110.574  # km per degree of latitude

# -- the places --------------------------------------------------------------------------------
# Chinese names with their pinyin written in CamelCase, one capital per syllable and a space per
# English word: "ShengDeng HuaLin" gives the syllables (for pinyin search) and "Shengdeng Hualin".

# The district's outline (lat, lon), clockwise from the south-west, where the Fu river meets the
# First Ring Road; each anchor is jittered and the edges between them made wavy.
OUTLINE_ANCHORS = [
    (30.641, 104.080), (30.652, 104.074), (30.664, 104.076), (30.676, 104.071),
    (30.690, 104.075), (30.703, 104.070), (30.716, 104.074), (30.722, 104.088),
    (30.727, 104.104), (30.726, 104.121), (30.735, 104.134), (30.738, 104.150),
    (30.733, 104.168), (30.726, 104.183), (30.712, 104.184), (30.700, 104.176),
    (30.688, 104.180), (30.676, 104.192), (30.661, 104.196), (30.646, 104.192),
    (30.633, 104.186), (30.626, 104.170), (30.629, 104.152), (30.637, 104.140),
    (30.633, 104.124), (30.637, 104.108), (30.640, 104.094),
]

# code, zh, CamelCase pinyin, where its seed lies (lat, lon), community names (the first ones are
# the communities the district's own papers name, kept whatever the seed).
STREETS: list[tuple[str, str, str, tuple[float, float], str]] = [
    ("street.mengzhuiwan", "猛追湾", "MengZhuiWan", (30.662, 104.084),
     "望平:WangPing 猛追湾:MengZhuiWan 培华:PeiHua 东风:DongFeng 红星:HongXing 滨河:BinHe "
     "和美:HeMei 香槟:XiangBin 锦江苑:JinJiangYuan"),
    ("street.shuangqiaozi", "双桥子", "ShuangQiaoZi", (30.652, 104.100),
     "怡福:YiFu 双桥:ShuangQiao 东恒:DongHeng 牛王庙:NiuWangMiao 双林:ShuangLin 东城:DongCheng "
     "新华:XinHua 水碾河:ShuiNianHe"),
    ("street.fuqinglu", "府青路", "FuQingLu", (30.683, 104.092),
     "新鸿:XinHong 府青:FuQing 八里庄:BaLiZhuang 建华:JianHua 厂北:ChangBei 玉双:YuShuang "
     "锦绣:JinXiu 和平:HePing"),
    ("street.erxianqiao", "二仙桥", "ErXianQiao", (30.692, 104.124),
     "二仙桥:ErXianQiao 下涧槽:XiaJianCao 东秀:DongXiu 建材:JianCai 理工:LiGong 机车:JiChe "
     "东林:DongLin 北新:BeiXin"),
    ("street.tiaodenghe", "跳蹬河", "TiaoDengHe", (30.668, 104.122),
     "跳蹬河:TiaoDengHe 双华:ShuangHua 麻石桥:MaShiQiao 双庆:ShuangQing 建功:JianGong "
     "东虹:DongHong 槐荫:HuaiYin 崔家店:CuiJiaDian"),
    ("street.shuangshuinian", "双水碾", "ShuangShuiNian", (30.714, 104.086),
     "双水碾:ShuangShuiNian 北站:BeiZhan 羊子山:YangZiShan 川陕:ChuanShan 韦家碾:WeiJiaNian "
     "红花:HongHua 北门:BeiMen 友爱:YouAi"),
    ("street.wannianchang", "万年场", "WanNianChang", (30.646, 104.122),
     "万年场:WanNianChang 槐树店:HuaiShuDian 东篱:DongLi 红枫:HongFeng 蓝谷:LanGu "
     "五桂桥:WuGuiQiao 天祥:TianXiang 东郊:DongJiao"),
    ("street.baohe", "保和", "BaoHe", (30.636, 104.166),
     "保和:BaoHe 东桂:DongGui 胜利:ShengLi 金马:JinMa 沙河:ShaHe 友谊:YouYi 前锋:QianFeng "
     "和顺:HeShun"),
    ("street.qinglong", "青龙", "QingLong", (30.716, 104.122),
     "关家:GuanJia 青龙:QingLong 致强:ZhiQiang 昭觉:ZhaoJue 北湖:BeiHu 斑竹园:BanZhuYuan "
     "石岭:ShiLing 新山:XinShan"),
    ("street.longtan", "龙潭", "LongTan", (30.722, 104.168),
     "龙潭:LongTan 同仁:TongRen 金科:JinKe 洪山:HongShan 龙港:LongGang 惠民:HuiMin 仁和:RenHe "
     "水乡:ShuiXiang"),
    ("street.bailianchi", "白莲池", "BaiLianChi", (30.664, 104.146),
     "白莲池:BaiLianChi 李家沱:LiJiaTuo 杉板桥:ShanBanQiao 华盛:HuaSheng 龙华:LongHua "
     "联合:LianHe 建兴:JianXing 泰康:TaiKang"),
    ("street.taoxilu", "桃蹊路", "TaoXiLu", (30.665, 104.104),
     "桃蹊:TaoXi 踏水:TaShui 新桥:XinQiao 天府:TianFu 东门:DongMen 荆竹:JingZhu 银桦:YinHua "
     "沙湾:ShaWan"),
    ("street.simaqiao", "驷马桥", "SiMaQiao", (30.697, 104.079),
     "驷马桥:SiMaQiao 府河:FuHe 李家湾:LiJiaWan 北环:BeiHuan 银河:YinHe 荷花池:HeHuaChi "
     "五块石:WuKuaiShi 双荆:ShuangJing"),
    ("street.shengdeng", "圣灯", "ShengDeng", (30.664, 104.172),
     "圣灯华林:ShengDeng HuaLin 人民塘:RenMinTang 圣灯寺:ShengDengSi 民兴:MinXing 五福:WuFu "
     "高家:GaoJia 双龙:ShuangLong 东方:DongFang"),
]
# More community names, for a street whose own list runs out.
SPARE_COMMUNITIES = (
    "锦城:JinCheng 安康:AnKang 福康:FuKang 兴隆:XingLong 长青:ChangQing 翠柏:CuiBai "
    "新民:XinMin 东华:DongHua 春晓:ChunXiao 永丰:YongFeng 建国:JianGuo 光明:GuangMing "
    "幸福:XingFu 团结:TuanJie 东升:DongSheng 瑞祥:RuiXiang 嘉禾:JiaHe 育才:YuCai 桂花:GuiHua "
    "梧桐:WuTong 青杠:QingGang 书香:ShuXiang 华兴:HuaXing 富民:FuMin 东湖:DongHu 柳荫:LiuYin"
)

# Trunk roads: the name to use at junctions, its sections (zh, pinyin, English) from the first
# anchor to the last, and anchors (lat, lon). House numbers start again in each section.
TRUNK_ROADS: list[tuple[str, list[tuple[str, str, str]], list[tuple[float, float]]]] = [
    ("一环路", [("一环路东三段", "YiHuanLu DongSanDuan", "Section 3, East 1st Ring Road"),
               ("一环路东二段", "YiHuanLu DongErDuan", "Section 2, East 1st Ring Road"),
               ("一环路东一段", "YiHuanLu DongYiDuan", "Section 1, East 1st Ring Road"),
               ("一环路北四段", "YiHuanLu BeiSiDuan", "Section 4, North 1st Ring Road")],
     [(30.642, 104.087), (30.656, 104.089), (30.669, 104.090), (30.678, 104.083),
      (30.683, 104.075)]),
    ("建设路", [("建设路", "JianSheLu", "Jianshe Road")],
     [(30.6765, 104.0890), (30.6775, 104.1090), (30.6760, 104.1200)]),
    ("府青路", [("府青路一段", "FuQingLu YiDuan", "Section 1, Fuqing Road"),
               ("府青路二段", "FuQingLu ErDuan", "Section 2, Fuqing Road"),
               ("府青路三段", "FuQingLu SanDuan", "Section 3, Fuqing Road")],
     [(30.671, 104.089), (30.684, 104.096), (30.700, 104.101)]),
    ("建设北路", [("建设北路", "JianShe BeiLu", "Jianshe North Road")],
     [(30.677, 104.102), (30.693, 104.104)]),
    ("建设南路", [("建设南路", "JianShe NanLu", "Jianshe South Road")],
     [(30.676, 104.106), (30.662, 104.107)]),
    ("二环路", [("二环路北四段", "ErHuanLu BeiSiDuan", "Section 4, North 2nd Ring Road"),
               ("二环路东一段", "ErHuanLu DongYiDuan", "Section 1, East 2nd Ring Road"),
               ("二环路东二段", "ErHuanLu DongErDuan", "Section 2, East 2nd Ring Road"),
               ("二环路东三段", "ErHuanLu DongSanDuan", "Section 3, East 2nd Ring Road")],
     [(30.701, 104.078), (30.697, 104.110), (30.681, 104.118), (30.661, 104.121),
      (30.640, 104.118)]),
    ("东三环路", [("东三环路一段", "DongSanHuanLu YiDuan", "Section 1, East 3rd Ring Road"),
                 ("东三环路二段", "DongSanHuanLu ErDuan", "Section 2, East 3rd Ring Road"),
                 ("东三环路三段", "DongSanHuanLu SanDuan", "Section 3, East 3rd Ring Road")],
     [(30.630, 104.150), (30.660, 104.156), (30.690, 104.152), (30.711, 104.138)]),
    ("北三环路", [("北三环路一段", "BeiSanHuanLu YiDuan", "Section 1, North 3rd Ring Road"),
                 ("北三环路二段", "BeiSanHuanLu ErDuan", "Section 2, North 3rd Ring Road")],
     [(30.711, 104.138), (30.724, 104.110), (30.724, 104.082)]),
    ("双桥路", [("双桥路", "ShuangQiaoLu", "Shuangqiao Road")],
     [(30.656, 104.091), (30.655, 104.110), (30.654, 104.130)]),
    ("万年场路", [("万年场路", "WanNianChangLu", "Wannianchang Road")],
     [(30.647, 104.100), (30.646, 104.131)]),
    ("双林路", [("双林路", "ShuangLinLu", "Shuanglin Road")],
     [(30.665, 104.091), (30.666, 104.116)]),
    ("成华大道", [("成华大道新鸿路", "ChengHua DaDao XinHongLu", "Xinhong Road, Chenghua Avenue"),
                 ("成华大道十里店路", "ChengHua DaDao ShiLiDianLu",
                  "Shilidian Road, Chenghua Avenue")],
     [(30.671, 104.096), (30.690, 104.126), (30.712, 104.153), (30.728, 104.176)]),
    ("成龙大道", [("成龙大道一段", "ChengLong DaDao YiDuan", "Section 1, Chenglong Avenue")],
     [(30.634, 104.124), (30.630, 104.155), (30.630, 104.186)]),
    ("圣灯路", [("圣灯路", "ShengDengLu", "Shengdeng Road")],
     [(30.656, 104.139), (30.660, 104.165), (30.661, 104.190)]),
    ("东虹路", [("东虹路", "DongHongLu", "Donghong Road")],
     [(30.682, 104.114), (30.683, 104.143)]),
    ("二仙桥东路", [("二仙桥东路", "ErXianQiao DongLu", "Erxianqiao East Road")],
     [(30.694, 104.112), (30.697, 104.142)]),
    ("昭觉寺南路", [("昭觉寺南路", "ZhaoJueSi NanLu", "Zhaojuesi South Road")],
     [(30.706, 104.080), (30.707, 104.110)]),
    ("杉板桥路", [("杉板桥路", "ShanBanQiaoLu", "Shanbanqiao Road")],
     [(30.652, 104.133), (30.691, 104.134)]),
    ("驷马桥路", [("驷马桥路", "SiMaQiaoLu", "Simaqiao Road")],
     [(30.686, 104.079), (30.712, 104.087)]),
    ("龙港路", [("龙港路", "LongGangLu", "Longgang Road")],
     [(30.714, 104.150), (30.726, 104.186)]),
    ("华盛路", [("华盛路", "HuaShengLu", "Huasheng Road")],
     [(30.671, 104.128), (30.673, 104.163)]),
    ("槐树店路", [("槐树店路", "HuaiShuDianLu", "Huaishudian Road")],
     [(30.640, 104.108), (30.652, 104.128)]),
    ("保和路", [("保和路", "BaoHeLu", "Baohe Road")],
     [(30.632, 104.165), (30.652, 104.172)]),
]

# Stems for the side roads of each community (besides the community's own name).
ROAD_STEMS = (
    "致远:ZhiYuan 怡心:YiXin 利民:LiMin 安宁:AnNing 福兴:FuXing 同心:TongXin 文华:WenHua "
    "黄桷:HuangJue 枣子:ZaoZi 竹林:ZhuLin 双福:ShuangFu 槐树:HuaiShu 桤木:QiMu 白果:BaiGuo "
    "水井:ShuiJing 油坊:YouFang 茶店:ChaDian 龙舟:LongZhou 金台:JinTai 玉泉:YuQuan "
    "望仙:WangXian 迎晖:YingHui 将军:JiangJun 红旗:HongQi 东调:DongDiao 青松:QingSong "
    "桂溪:GuiXi 府城:FuCheng 民丰:MinFeng 学府:XueFu"
)
ROAD_KINDS = [("路", "Lu", "Road"), ("街", "Jie", "Street"), ("巷", "Xiang", "Lane"),
              ("一路", "YiLu", "1st Road"), ("二路", "ErLu", "2nd Road"),
              ("东路", "DongLu", "East Road"), ("北路", "BeiLu", "North Road"),
              ("西街", "XiJie", "West Street"), ("南巷", "NanXiang", "South Lane")]

ESTATE_STEMS = (
    "锦绣:JinXiu 东方:DongFang 阳光:YangGuang 和谐:HeXie 蓝天:LanTian 碧水:BiShui 紫荆:ZiJing "
    "银杏:YinXing 香榭:XiangXie 盛世:ShengShi 丽景:LiJing 华府:HuaFu 世纪:ShiJi 天韵:TianYun "
    "望江:WangJiang 滨江:BinJiang 万象:WanXiang 芙蓉:FuRong 金桂:JinGui 海棠:HaiTang "
    "玉兰:YuLan 翠竹:CuiZhu 云锦:YunJin 春天:ChunTian 朝阳:ChaoYang 晨曦:ChenXi 凯旋:KaiXuan "
    "锦华:JinHua 御府:YuFu 尚城:ShangCheng 金色:JinSe 城市:ChengShi 嘉年:JiaNian 枫林:FengLin "
    "明月:MingYue 水岸:ShuiAn 清风:QingFeng 博雅:BoYa 怡景:YiJing 锦苑:JinYuan"
)
ESTATE_KINDS = [("小区", "XiaoQu", "Estate"), ("花园", "HuaYuan", "Garden"), ("苑", "Yuan", "Yuan"),
                ("家园", "JiaYuan", "Homes"), ("华庭", "HuaTing", "Huating"),
                ("名居", "MingJu", "Mingju"), ("新村", "XinCun", "New Village"),
                ("公寓", "GongYu", "Apartments"), ("雅居", "YaJu", "Yaju")]
# Estates the district's papers name: (zh, pinyin, English, street).
NAMED_ESTATES = [("龙潭水乡茗居", "LongTan ShuiXiang MingJu", "Longtan Shuixiang Mingju",
                  "street.longtan")]

# Patrol checkpoint places in a community: (zh, English).
CHECKPOINT_PLACES = [
    ("党群服务中心", "service centre"), ("文化广场", "culture square"),
    ("小游园", "pocket park"), ("农贸市场", "food market"), ("幼儿园门口", "kindergarten gate"),
    ("背街小巷", "back lane"), ("消防通道", "fire lane"), ("停车场", "car park"),
    ("老旧院落", "old courtyard"), ("河道巡查点", "riverside patrol point"),
]
GATES = [("东门", "east gate"), ("西门", "west gate"), ("南门", "south gate"),
         ("北门", "north gate")]

# Squares and parks with a camera: name, (lat, lon) roughly where they are.
LANDMARKS = [
    ("东郊记忆广场", (30.6690, 104.1095)), ("建设路商业街", (30.6768, 104.1035)),
    ("猛追湾滨河广场", (30.6590, 104.0840)), ("万年场广场", (30.6480, 104.1150)),
    ("成都动物园南门", (30.7060, 104.1020)), ("熊猫基地大门", (30.7300, 104.1460)),
    ("北湖公园", (30.7240, 104.1230)), ("龙潭总部城广场", (30.7210, 104.1720)),
    ("圣灯公园", (30.6640, 104.1760)), ("新华公园", (30.6620, 104.0990)),
    ("二仙桥公园", (30.6920, 104.1280)), ("保和广场", (30.6370, 104.1630)),
]
JUNCTION_CAMERAS = 38


# -- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A Chinese name, its English name and its toneless pinyin, one syllable per character."""

    zh: str
    en: str
    pinyin: str

    @classmethod
    def of(cls, zh: str, camel: str, en: str | None = None) -> Name:
        """``Name.of("圣灯华林", "ShengDeng HuaLin")`` → en "Shengdeng Hualin", pinyin "sheng …"."""
        syllables = [s.lower() for s in re.findall(r"[A-Z][a-z]*", camel)]
        if len(syllables) != len(zh):
            raise ValueError(f"{zh!r}: pinyin {camel!r} has {len(syllables)} syllables")
        words = " ".join(w.capitalize() for w in camel.split())
        return cls(zh, en if en is not None else words, " ".join(syllables))

    def __add__(self, other: Name) -> Name:
        return Name(self.zh + other.zh, f"{self.en} {other.en}", f"{self.pinyin} {other.pinyin}")


def _names(text: str) -> list[Name]:
    """``"望平:WangPing 圣灯华林:ShengDeng HuaLin"`` → two names."""
    return [Name.of(zh, camel)
            for zh, camel in re.findall(r"(\S+?):([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*)", text)]


def _compact(pinyin: str) -> str:
    return pinyin.replace(" ", "")


# -- the result --------------------------------------------------------------------------------


@dataclass
class Area:
    code: str
    name: Name
    parent: str | None
    geometry: Polygon  # degrees, on the GRID


@dataclass
class District:
    """Everything the generator made; ``render`` turns it into the files."""

    seed: int
    outline: Polygon  # degrees
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    cells: list[Area] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    cameras: list[dict[str, Any]] = field(default_factory=list)


# -- coordinates -------------------------------------------------------------------------------


def _km(lat: float, lon: float) -> tuple[float, float]:
    return (lon - LON0) * KX, (lat - LAT0) * KY


def _to_degrees(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(
        (xy[:, 0] / KX + LON0, xy[:, 1] / KY + LAT0)))


def _to_km(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(
        ((xy[:, 0] - LON0) * KX, (xy[:, 1] - LAT0) * KY)))


def _lat_lon(point: Point) -> tuple[float, float]:
    """A km-frame point as (lat, lon) rounded onto the output grid."""
    return round(point.y / KY + LAT0, 5), round(point.x / KX + LON0, 5)


# -- step 1: the outline -----------------------------------------------------------------------


def outline(seed: int = DEFAULT_SEED) -> Polygon:
    """The district's outline in degrees (lon, lat) for ``seed``, on the output grid."""
    return _outline(random.Random(seed))


def _outline(rng: random.Random) -> Polygon:
    anchors = [(lon + rng.uniform(-0.002, 0.002), lat + rng.uniform(-0.002, 0.002))
               for lat, lon in OUTLINE_ANCHORS]
    ring: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in zip(anchors, anchors[1:] + anchors[:1], strict=True):
        # A wavy edge: a few points between anchors, pushed sideways by a smooth random amount.
        steps = 6
        phase, amplitude = rng.uniform(0, math.tau), rng.uniform(0.0006, 0.0018)
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        for k in range(steps):
            t = k / steps
            bump = amplitude * math.sin(math.pi * t) * math.sin(phase + 3 * math.pi * t)
            ring.append((x0 + t * (x1 - x0) + bump * nx, y0 + t * (y1 - y0) + bump * ny))
    south, west, north, east = EXTENT
    polygon = Polygon(ring).intersection(shapely.box(west, south, east, north))
    polygon = shapely.set_precision(polygon, GRID)
    if not isinstance(polygon, Polygon) or not polygon.is_valid:
        raise RuntimeError("the district outline came out broken")
    return polygon


# -- step 2: grid cells ------------------------------------------------------------------------


def _density(x: float, y: float) -> float:
    """Relative grid density: the old town near the First Ring Road has the most people."""
    cx, cy = _km(30.664, 104.092)
    return 1.0 + 2.5 * math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 3.5**2))


def _cell_seeds(rng: random.Random, area_km: Polygon) -> list[Point]:
    west, south, east, north = area_km.bounds
    shapely.prepare(area_km)
    points: list[Point] = []
    while len(points) < CELLS:
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if rng.random() * 3.5 < _density(x, y) and shapely.contains_xy(area_km, x, y):
            points.append(Point(x, y))
    for _ in range(2):  # Lloyd relaxation: each seed to the centre of its own cell
        cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=area_km.buffer(5),
                                         ordered=True)
        moved = []
        for point, cell in zip(points, shapely.get_parts(cells), strict=True):
            centroid = cell.intersection(area_km).centroid
            moved.append(centroid if area_km.contains(centroid) else point)
        points = moved
    return points


def _cells(rng: random.Random, area: Polygon) -> list[Polygon]:
    """Grid-cell polygons (degrees, on the GRID) tiling ``area`` exactly."""
    area_km = _to_km(area)
    seeds = _cell_seeds(rng, area_km)
    voronoi = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area_km.buffer(5),
                                       ordered=True)
    regions = list(shapely.get_parts(voronoi))
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area_km.buffer(5),
                                     only_edges=True)
    # Node the Voronoi edges and the outline together on the output grid, once, so that every
    # vertex two faces share is one and the same coordinate.
    noded = shapely.union_all([_to_degrees(edges), area.boundary], grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
             if area.contains(f.representative_point())]
    region_tree = STRtree(regions)
    owned: dict[int, list[Polygon]] = {}
    for face in faces:
        probe = _to_km(face.representative_point())
        hits = sorted(int(i) for i in region_tree.query(probe, predicate="intersects"))
        owned.setdefault(hits[0], []).append(face)
    pieces = [shapely.union_all(owned[i], grid_size=GRID) for i in sorted(owned)]
    return _merge_strays(pieces)


def _merge_strays(pieces: list[Any]) -> list[Polygon]:
    """Give every detached bit of a cell (a Voronoi cell cut by a bay of the outline) to the
    neighbour it shares the longest edge with, so that each cell is one polygon."""
    cells: list[Any] = list(pieces)
    while True:
        split = next((i for i, c in enumerate(cells) if not isinstance(c, Polygon)), None)
        if split is None:
            return cells
        parts = sorted(shapely.get_parts(cells[split]), key=lambda p: -p.area)
        cells[split] = parts[0]
        for stray in parts[1:]:
            shared = [(shapely.intersection(stray.boundary, c.boundary).length, -i, i)
                      for i, c in enumerate(cells) if i != split]
            _, _, into = max(shared)
            cells[into] = shapely.union_all([cells[into], stray], grid_size=GRID)


def _adjacency(cells: Sequence[Polygon]) -> list[list[int]]:
    """For each cell, the cells it shares an edge (not just a corner) with, ascending."""
    tree = STRtree(cells)
    left, right = tree.query(cells, predicate="touches")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(
        shapely.boundary(np.asarray(cells, dtype=object)[left]),
        shapely.boundary(np.asarray(cells, dtype=object)[right])))
    neighbours: list[list[int]] = [[] for _ in cells]
    for a, b, length in zip(left.tolist(), right.tolist(), shared.tolist(), strict=True):
        if length > 0:
            neighbours[a].append(b)
            neighbours[b].append(a)
    return [sorted(n) for n in neighbours]


# -- step 3: streets and communities -----------------------------------------------------------


def _grow(sources: Sequence[int], neighbours: Sequence[Sequence[int]], centres: np.ndarray,
          allowed: set[int], noise: dict[tuple[int, int], float]) -> dict[int, int]:
    """Assign each allowed cell to the source whose region reaches it first, growing every
    region one shared edge at a time — so each region is connected by construction.

    Returns cell → index of its source, with the cells in the order they were claimed.
    """
    owner: dict[int, int] = {}
    queue = [(0.0, order, cell, label) for order, (label, cell) in enumerate(enumerate(sources))]
    heapq.heapify(queue)
    counter = len(queue)
    while queue:
        cost, _, cell, label = heapq.heappop(queue)
        if cell in owner:
            continue
        owner[cell] = label
        for other in neighbours[cell]:
            if other in allowed and other not in owner:
                step = float(np.hypot(*(centres[cell] - centres[other])))
                step *= noise[(min(cell, other), max(cell, other))]
                heapq.heappush(queue, (cost + step, counter, other, label))
                counter += 1
    return owner


def _nearest_cell(cells: Iterable[int], centres: np.ndarray, x: float, y: float) -> int:
    return min(cells, key=lambda c: (float(np.hypot(centres[c][0] - x, centres[c][1] - y)), c))


def _kmeans_sources(rng: random.Random, cells: list[int], centres: np.ndarray, k: int) -> list[int]:
    """k well-spread cells of a street to grow its communities from (k-means on cell centres)."""
    points = centres[cells]
    means = [points[rng.randrange(len(cells))]]
    while len(means) < k:  # k-means++ start
        gap = np.min([np.sum((points - m) ** 2, axis=1) for m in means], axis=0)
        means.append(points[int(np.searchsorted(np.cumsum(gap), rng.random() * gap.sum()))])
    centre = np.array(means)
    for _ in range(8):
        label = np.argmin(((points[:, None, :] - centre[None, :, :]) ** 2).sum(axis=2), axis=1)
        centre = np.array([points[label == j].mean(axis=0) if np.any(label == j) else centre[j]
                           for j in range(k)])
    sources: list[int] = []
    for x, y in centre:
        sources.append(_nearest_cell([c for c in cells if c not in sources], centres, x, y))
    return sources


def _community_names(rng: random.Random) -> dict[str, list[Name]]:
    spare = _names(SPARE_COMMUNITIES)
    rng.shuffle(spare)
    return {code: _names(names) + spare for code, _, _, _, names in STREETS}


def _areas(rng: random.Random, area: Polygon) -> tuple[list[Area], list[Area], list[Area]]:
    """Streets, communities and cells, nested: every cell in one community, every community in
    one street, each a single polygon."""
    polygons = _cells(rng, area)
    neighbours = _adjacency(polygons)
    centres = np.array([[p.x, p.y] for p in _to_km(shapely.centroid(np.asarray(polygons)))])
    # Irregular boundaries: crossing some shared edges costs more than crossing others.
    noise = {(a, b): rng.uniform(0.7, 1.4)
             for a in range(len(polygons)) for b in neighbours[a] if a < b}
    everything = set(range(len(polygons)))
    street_seeds = [_km(lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.002, 0.002))
                    for _, _, _, (lat, lon), _ in STREETS]
    street_sources: list[int] = []
    for x, y in street_seeds:
        street_sources.append(_nearest_cell(everything - set(street_sources), centres, x, y))
    street_of = _grow(street_sources, neighbours, centres, everything, noise)
    names = _community_names(rng)
    used: set[str] = set()
    streets: list[Area] = []
    communities: list[Area] = []
    cells: list[Area] = []
    for s, (code, zh, camel, _, _) in enumerate(STREETS):
        members = [c for c, owner in street_of.items() if owner == s]  # in the order claimed
        k = max(3, round(len(members) / COMMUNITY_CELLS))
        sources = _kmeans_sources(rng, members, centres, k)
        # The community nearest the street's seed takes the street's first name, and so on out.
        sx, sy = street_seeds[s]
        sources.sort(key=lambda c: (float(np.hypot(centres[c][0] - sx, centres[c][1] - sy)), c))
        community_of = _grow(sources, neighbours, centres, set(members), noise)
        pool = iter(names[code])
        for j in range(k):
            stem = next(n for n in pool if _compact(n.pinyin) not in used)
            used.add(_compact(stem.pinyin))
            community_code = f"community.{_compact(stem.pinyin)}"
            own = [c for c, owner in community_of.items() if owner == j]
            width = max(2, len(str(len(own))))
            for number, cell in enumerate(own, start=1):
                cells.append(Area(
                    f"grid.{_compact(stem.pinyin)}.{number:0{width}d}",
                    Name(f"{stem.zh}社区第{number}网格", f"{stem.en} community grid {number}",
                         f"{stem.pinyin} she qu di {number} wang ge"),
                    community_code, polygons[cell]))
            communities.append(Area(community_code, stem + Name.of("社区", "SheQu", "Community"),
                                    code, _single([polygons[c] for c in own], community_code)))
        streets.append(Area(code, Name.of(zh, camel), None,
                            _single([polygons[c] for c in members], code)))
    return streets, communities, cells


def _single(polygons: list[Polygon], code: str) -> Polygon:
    union = shapely.union_all(polygons, grid_size=GRID)
    if not isinstance(union, Polygon):
        raise RuntimeError(f"{code} is not one polygon")
    return union


# -- roads, addresses, checkpoints, cameras ----------------------------------------------------


class _Locator:
    """Where a point (rounded to the output grid) lands in the generated geography — and
    whether it is far enough inside its cell that no rounding could move it across the edge."""

    MARGIN = 3e-5  # degrees, about 3 m

    def __init__(self, geography: Geography, cells: Sequence[Area]) -> None:
        self.geography = geography
        self.polygons = {c.code: c.geometry for c in cells}
        for polygon in self.polygons.values():
            shapely.prepare(polygon)

    def place(self, point_km: Point) -> tuple[float, float, str, str, str] | None:
        lat, lon = _lat_lon(point_km)
        where = self.geography.locate(lat, lon)
        if where.grid is None or where.community is None or where.street is None:
            return None
        point = Point(lon, lat)
        if self.polygons[where.grid].boundary.distance(point) < self.MARGIN:
            return None
        return lat, lon, where.grid, where.community, where.street


def _wavy_line(rng: random.Random, anchors: Sequence[tuple[float, float]]) -> LineString:
    points = [_km(lat + rng.uniform(-0.0008, 0.0008), lon + rng.uniform(-0.0008, 0.0008))
              for lat, lon in anchors]
    coords: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        bend = rng.uniform(-0.06, 0.06)
        coords += [(x0, y0), ((x0 + x1) / 2 - bend * (y1 - y0) / length,
                              (y0 + y1) / 2 + bend * (x1 - x0) / length)]
    coords.append(points[-1])
    return LineString(coords)


def _longest(geometry: Any) -> LineString | None:
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, LineString) and p.length > 0]
    return max(parts, key=lambda p: p.length) if parts else None


def _frontage(rng: random.Random, road: LineString, name: Name, locator: _Locator,
              spacing: tuple[float, float], taken: set[str]) -> list[dict[str, Any]]:
    """House numbers along a road, the way Chinese roads are numbered: odd on the left, even on
    the right, rising from the road's start by two for every 30 m or so of frontage."""
    out = []
    for side, parity in ((1.0, 1), (-1.0, 2)):
        along = rng.uniform(0.01, spacing[1])
        while along < road.length - 0.01:
            a, b = road.interpolate(max(0.0, along - 0.005)), road.interpolate(along + 0.005)
            dx, dy = b.x - a.x, b.y - a.y
            norm = math.hypot(dx, dy) or 1.0
            offset = side * rng.uniform(0.012, 0.025)
            here = road.interpolate(along)
            point = Point(here.x - offset * dy / norm, here.y + offset * dx / norm)
            number = 2 * int(along * 1000 / 30) + parity
            along += rng.uniform(*spacing)
            zh = f"{name.zh}{number}号"
            where = locator.place(point)
            if where is None or zh in taken:
                continue
            taken.add(zh)
            en = f"No. {number}, {name.en}" if "," in name.en else f"No. {number} {name.en}"
            out.append(_entry(Name(zh, en, f"{name.pinyin} {number} hao"), where, "road"))
    return out


def _entry(name: Name, where: tuple[float, float, str, str, str], kind: str) -> dict[str, Any]:
    lat, lon, grid, community, street = where
    return {"zh": name.zh, "en": name.en, "pinyin": name.pinyin, "lat": lat, "lon": lon,
            "grid": grid, "community": community, "street": street, "kind": kind}


def _point_in(rng: random.Random, polygon_km: Polygon, locator: _Locator,
              tries: int = 200) -> tuple[Point, tuple[float, float, str, str, str]]:
    west, south, east, north = polygon_km.bounds
    for _ in range(tries):
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if polygon_km.contains(point):
            where = locator.place(point)
            if where is not None:
                return point, where
    raise RuntimeError("no room for a point in a polygon")


def _tail(name: Name, syllables: int) -> Name:
    pinyin = name.pinyin.split()[-syllables:]
    return Name(name.zh[-syllables:], "".join(pinyin).capitalize(), " ".join(pinyin))


def _trunk_roads(rng: random.Random, area_km: Polygon) -> list[tuple[str, list[Name], LineString]]:
    inside = area_km.buffer(-0.05)
    roads = []
    for junction_name, sections, anchors in TRUNK_ROADS:
        line = _longest(_wavy_line(rng, anchors).intersection(inside))
        if line is not None:
            roads.append((junction_name, [Name.of(zh, camel, en) for zh, camel, en in sections],
                          line))
    return roads


def _roads_and_estates(rng: random.Random, district: District, locator: _Locator,
                       trunks: list[tuple[str, list[Name], LineString]],
                       ) -> list[tuple[str, LineString]]:
    """Addresses along the trunk roads and the side roads it lays out, and estates; returns the
    side roads."""
    side_roads: list[tuple[str, LineString]] = []
    taken: set[str] = set()
    road_names: set[str] = set()
    for junction_name, sections, line in trunks:
        road_names.add(junction_name)  # no side road may take a trunk road's name
        for k, section in enumerate(sections):
            piece = substring(line, k * line.length / len(sections),
                              (k + 1) * line.length / len(sections))
            road_names.add(section.zh)
            district.addresses += _frontage(rng, piece, section, locator, (0.2, 0.4), taken)
    stems = _names(ROAD_STEMS)
    estate_stems = _names(ESTATE_STEMS)
    kinds = [Name.of(zh, camel, en) for zh, camel, en in ROAD_KINDS]
    estate_kinds = [Name.of(zh, camel, en) for zh, camel, en in ESTATE_KINDS]
    named_estates = {street: Name.of(zh, camel, en) for zh, camel, en, street in NAMED_ESTATES}
    for community in district.communities:
        polygon = _to_km(community.geometry)
        stem = community.name.zh.removesuffix("社区")
        own = Name(stem, community.name.en.removesuffix(" Community"),
                   community.name.pinyin.removesuffix(" she qu"))
        if len(own.zh) > 3:
            own = _tail(own, 2)
        # Side roads: the first one named after the community, as Chengdu's often are.
        for r in range(2):
            base = own if r == 0 else rng.choice(stems)
            name = next((base + kind for kind in (kinds if r == 0 else rng.sample(kinds, 9))
                         if (base + kind).zh not in road_names), None)
            core = polygon.buffer(-0.05)
            through, _ = _point_in(rng, polygon if core.is_empty else core, locator)
            angle = rng.uniform(0, math.pi)
            dx, dy = 3 * math.cos(angle), 3 * math.sin(angle)
            line = LineString([(through.x - dx, through.y - dy), (through.x + dx, through.y + dy)])
            road = _longest(line.intersection(polygon.buffer(-0.03)))
            if name is None or road is None or road.length < 0.2:
                continue
            road_names.add(name.zh)
            district.addresses += _frontage(rng, road, name, locator, (0.14, 0.26), taken)
            side_roads.append((name.zh, road))
        # Residential estates (小区), placed anywhere in the community.
        estates = [named_estates.pop(community.parent)] if community.parent in named_estates \
            else []
        taken.update(e.zh for e in estates)
        wanted = rng.randint(4, 7)
        for _ in range(100):
            if len(estates) >= wanted:
                break
            base = own if rng.random() < 0.3 else rng.choice(estate_stems)
            name = base + rng.choice(estate_kinds)
            if name.zh not in taken:
                estates.append(name)
                taken.add(name.zh)
        for name in estates:
            _, where = _point_in(rng, polygon, locator)
            district.addresses.append(_entry(name, where, "estate"))
    return side_roads


def _checkpoints(rng: random.Random, district: District, locator: _Locator) -> None:
    estates_of: dict[str, list[dict[str, Any]]] = {}
    for address in district.addresses:
        if address["kind"] == "estate":
            estates_of.setdefault(address["community"], []).append(address)
    for community in district.communities:
        polygon = _to_km(community.geometry)
        places = [CHECKPOINT_PLACES[0], *rng.sample(CHECKPOINT_PLACES[1:], rng.randint(1, 3))]
        entries = []
        for zh, en in places:
            _, where = _point_in(rng, polygon, locator)
            entries.append((f"{community.name.zh}{zh}", f"{community.name.en} {en}", where))
        # And the gate of one of its estates, some 40 m from the estate's point.
        estates = estates_of.get(community.code, [])
        for estate in rng.sample(estates, min(1, len(estates))):
            zh, en = rng.choice(GATES)
            x, y = _km(estate["lat"], estate["lon"])
            for _ in range(20):
                angle = rng.uniform(0, math.tau)
                gate = locator.place(Point(x + 0.04 * math.cos(angle), y + 0.04 * math.sin(angle)))
                if gate is not None:
                    entries.append((estate["zh"] + zh, f"{estate['en']} {en}", gate))
                    break
        slug = community.code.removeprefix("community.")
        for i, (zh, en, where) in enumerate(entries, start=1):
            lat, lon, grid, _, _ = where
            district.checkpoints.append({"id": f"cp.{slug}.{i}", "zh": zh, "en": en,
                                         "lat": lat, "lon": lon, "grid": grid})


def _junctions(roads: Sequence[tuple[str, LineString]], others: Sequence[tuple[str, LineString]],
               apart: Sequence[Point]) -> list[tuple[Point, str]]:
    """Where a road of ``roads`` crosses one of ``others`` (the same list: each pair once), named
    the Chengdu way — "建设路与府青路口" — at least 300 m from the others and from ``apart``."""
    found: list[tuple[Point, str]] = []
    for i, (a_name, a) in enumerate(roads):
        for b_name, b in others[i + 1:] if others is roads else others:
            for point in shapely.get_parts(a.intersection(b)):
                if isinstance(point, Point) and all(
                        point.distance(p) > 0.3 for p in [*apart, *(f[0] for f in found)]):
                    tail = "口" if b_name.endswith(("路", "街", "巷")) else "路口"
                    found.append((point, f"{a_name}与{b_name}{tail}"))
    return found


def _cameras(rng: random.Random, district: District, locator: _Locator,
             trunks: list[tuple[str, list[Name], LineString]],
             side_roads: list[tuple[str, LineString]]) -> None:
    trunk_lines = [(name, line) for name, _, line in trunks]
    kept = _junctions(trunk_lines, trunk_lines, [])[:JUNCTION_CAMERAS]
    # Then junctions of trunk and side roads, each time the one farthest from those kept.
    more = _junctions(trunk_lines, side_roads, [p for p, _ in kept])
    while len(kept) < JUNCTION_CAMERAS and more:
        best = max(more, key=lambda j: min((j[0].distance(k[0]) for k in kept), default=0.0))
        kept.append(best)
        more.remove(best)
    sites = kept + [(Point(*_km(lat, lon)), name) for name, (lat, lon) in LANDMARKS]
    for number, (point, name) in enumerate(sites, start=1):
        for _ in range(50):
            angle, reach = rng.uniform(0, math.tau), rng.uniform(0.01, 0.03)
            where = locator.place(Point(point.x + reach * math.cos(angle),
                                        point.y + reach * math.sin(angle)))
            if where is not None:
                break
        else:
            raise RuntimeError(f"camera {name} is outside the district")
        lat, lon, grid, _, street = where
        district.cameras.append({"id": f"cam.{number:03d}", "name": name, "lat": lat, "lon": lon,
                                 "grid": grid, "street": street})


# -- the whole thing ---------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED) -> District:
    """The demo district for ``seed``; the same seed always gives the same district."""
    rng = random.Random(seed)
    area = _outline(rng)
    district = District(seed, area)
    district.streets, district.communities, district.cells = _areas(rng, area)
    layers = _layers(district)
    locator = _Locator(Geography.from_geojson(*layers), district.cells)
    trunks = _trunk_roads(rng, _to_km(area))
    side_roads = _roads_and_estates(rng, district, locator, trunks)
    _checkpoints(rng, district, locator)
    _cameras(rng, district, locator, trunks, side_roads)
    return district


def _ring(coords: Iterable[tuple[float, float]]) -> list[list[float]]:
    return [[round(x, 5), round(y, 5)] for x, y in coords]


def _feature(area: Area, **properties: str) -> dict[str, Any]:
    polygon = shapely.geometry.polygon.orient(area.geometry, 1.0)  # RFC 7946: outer ring CCW
    rings = [_ring(polygon.exterior.coords), *(_ring(r.coords) for r in polygon.interiors)]
    return {"type": "Feature",
            "properties": {"code": area.code, "zh": area.name.zh, "en": area.name.en,
                           **properties},
            "geometry": {"type": "Polygon", "coordinates": rings}}


def _layers(district: District) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}

    return (collection([_feature(a) for a in district.streets]),
            collection([_feature(a, street=str(a.parent)) for a in district.communities]),
            collection([_feature(a, community=str(a.parent)) for a in district.cells]))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _lines(items: list[Any], *, collection: bool = False) -> bytes:
    """Compact JSON with one item a line, so that a diff stays readable: a list, or a GeoJSON
    FeatureCollection of the items."""
    text = "[\n" + ",\n".join(_dumps(item) for item in items) + "\n]"
    if collection:
        text = '{"type":"FeatureCollection","features":' + text + "}"
    return (text + "\n").encode()


def render(district: District) -> dict[str, bytes]:
    """File name → content, exactly as ``write`` stores them."""
    streets, communities, cells = _layers(district)
    files = {name: _lines(layer["features"], collection=True)
             for name, layer in (("streets.geojson", streets),
                                 ("communities.geojson", communities),
                                 ("grid_cells.geojson", cells))}
    files["gazetteer.json"] = _lines(district.addresses)
    files["checkpoints.json"] = _lines(district.checkpoints)
    files["cameras.json"] = _lines(district.cameras)
    return files


def write(seed: int = DEFAULT_SEED, out: Path | str = DEFAULT_OUT) -> dict[str, int]:
    """Generate and write the files; returns file name → size in bytes."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, content in render(generate(seed)).items():
        (folder / name).write_bytes(content)
        sizes[name] = len(content)
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.sim.district",
                                     description="Generate the demo district's geography.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for name, size in write(args.seed, args.out).items():
        print(f"{args.out / name}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
