"""The demo district's places as data: its outline, streets, roads, estates, landmarks, names.

Chinese names with their pinyin written in CamelCase, one capital per syllable and a space per
English word: "ShengDeng HuaLin" gives the syllables (for pinyin search) and "Shengdeng Hualin".
:class:`Name` holds one such name in its three forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Name", "compact", "parse_names"]


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


def parse_names(text: str) -> list[Name]:
    """``"望平:WangPing 圣灯华林:ShengDeng HuaLin"`` → two names."""
    return [Name.of(zh, camel)
            for zh, camel in re.findall(r"(\S+?):([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*)", text)]


def compact(pinyin: str) -> str:
    return pinyin.replace(" ", "")
