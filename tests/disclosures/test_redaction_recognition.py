"""Unit tests of the recognisers (pure functions on text): names in running text, unlabelled addresses,
health, birth dates, minors, cards and accounts, plates; and what must stay public."""

from __future__ import annotations

import pytest

from backend.redaction import (
    check_fields,
    looks_like_person_name,
    public_party_name,
    redact_party,
    redact_text,
)
from backend.redaction.addresses import find_addresses
from backend.redaction.names import find_person_names
from backend.redaction.taggers import default_tagger

PERSON = {"party_type": "natural_person", "name": "王小明", "address": "吉林省辽源市龙山区福镇大街88号3单元502室"}


def names(text: str) -> list[str]:
    return [h.name for h in find_person_names(text, tagger=default_tagger()) if h.certain and not h.public]


# -- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("其妻刘桂芳负责收款。", ["刘桂芳"]),
        ("顾客张晓燕、赵德柱证实曾在其家中购买。", ["张晓燕", "赵德柱"]),
        ("患者李淑兰（患有高血压）、周玉梅输液治疗。", ["李淑兰", "周玉梅"]),
        ("烘焙师柏林、收银员陶欣然证实上述事实。", ["柏林", "陶欣然"]),
        ("由其儿子司马超保管。", ["司马超"]),
        ("其女婿滕飞的三轮车。", ["滕飞"]),
        ("当事人俞国栋之母俞王氏已死亡。", ["俞国栋", "俞王氏"]),
        ("其妻古丽·艾力协助售卖。", ["古丽·艾力"]),
        ("当事人阿卜杜拉·买买提未取得许可。", ["阿卜杜拉·买买提"]),
    ],
)
def test_names_after_cues_and_in_enumerations(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "当事人安排患有疾病的人员从事接触直接入口食品的工作。",  # 安 is a surname, 安排 a verb
        "当事人居住于龙山区。",  # 居 is a surname
        "未按规定登记住宿旅客信息",  # 信 is a surname, 信息 a noun, at the end of the text
        "顾客王某、李某某证实。",  # already masked
    ],
)
def test_common_words_and_masked_names_after_cues_are_not_names(text):
    assert names(text) == []


def test_officers_and_a_legal_representative_are_public():
    hits = find_person_names("执法人员张伟、李娜到场，法定代表人孟凡成在场。", tagger=default_tagger())
    assert [(h.name, h.public) for h in hits] == [("张伟", True), ("李娜", True), ("孟凡成", True)]
    result = redact_text("执法人员张伟、李娜到场检查，顾客赵德柱在场。", keep_persons=["张伟", "李娜"])
    assert result.text == "执法人员张伟、李娜到场检查，顾客赵某在场。"


def test_a_name_found_once_is_masked_everywhere_and_the_given_name_too():
    result = redact_text("证人高长林称……。高长林系村民。小明称其不知情。", parties=[PERSON])
    assert result.text == "证人高某称……。高某系村民。王某称其不知情。"


def test_looks_like_person_name_for_sole_traders():
    assert looks_like_person_name("周德海") and looks_like_person_name("司马玉林")
    assert not looks_like_person_name("辽源市龙山区老张家饺子馆") and not looks_like_person_name("")
    assert public_party_name(party_type="sole_trader", name="周德海", operator="周德海") == "周某"
    assert public_party_name(party_type="sole_trader", name="东丰县李记烧烤店", operator="李金宝") == "东丰县李记烧烤店"
    assert public_party_name(party_type="organisation", name="辽源市恒通商贸有限公司") == "辽源市恒通商贸有限公司"


def test_a_sole_trader_without_trade_name_is_published_under_a_masked_name():
    party = {"party_type": "sole_trader", "name": "周德海", "operator_name": "周德海",
             "address": "吉林省辽源市龙山区农贸市场东区A-08号"}  # fmt: skip
    data = redact_party(party).data
    assert data["name"] == "周某" and data["operator_name"] == "周某"
    assert data["address"] == "吉林省辽源市龙山区"  # premises of a person without a trade name are cut
    with_name = redact_party({**party, "name": "辽源市龙山区周记蔬菜店"}).data
    assert with_name["name"] == "辽源市龙山区周记蔬菜店" and with_name["operator_name"] == "周某"
    assert with_name["address"] == party["address"]


# -- addresses --------------------------------------------------------------------------------------


def test_an_unlabelled_home_address_is_cut_and_the_words_around_it_stay():
    text = "在其位于福镇大街88号3单元502室的家中销售过期食品。"
    assert redact_text(text, parties=[PERSON]).text == "在其位于×××的家中销售过期食品。"
    text = "当事人孙建民在其住所吉林省辽源市西安区仙城街道安家社区5组内销售过期食品。"
    out = redact_text(text, known_persons=["孙建民"]).text
    assert out == "当事人孙某在其住所吉林省辽源市西安区内销售过期食品。"


@pytest.mark.parametrize(
    ("text", "personal", "cut"),
    [
        ("当事人居住于龙山区东吉街道向阳小区12栋2单元301室。", False, "龙山区东吉街道向阳小区12栋2单元301室"),
        ("收货地址辽源市西安区东山街道和平小区2栋3单元501室。", False, "辽源市西安区东山街道和平小区2栋3单元501室"),
        ("在东丰县横道河镇双胜村四组其自家院内屠宰。", True, "东丰县横道河镇双胜村四组"),
        ("在福民小区3号楼1单元602室存放钢瓶。", True, "福民小区3号楼1单元602室"),
    ],
)
def test_residences_are_recognised(text, personal, cut):
    assert [h.text for h in find_addresses(text, personal_context=personal)] == [cut]


@pytest.mark.parametrize(
    "text",
    [
        "在西安区安家街道平安社区广场出户未束犬链。",  # a public square
        "在辽源市龙山区农贸市场东区A-08号摊位销售。",  # a stall
        "在辽源市龙山区南康街道新兴路流动摊位出售。",  # a street
    ],
)
def test_places_that_are_nobody_s_home_stay(text):
    assert redact_text(text, known_persons=["何春燕"]).text == text


def test_buildings_in_a_decision_about_an_organisation_are_not_homes_without_a_cue():
    org = {"party_type": "organisation", "name": "辽源市安居物业服务有限公司",
           "address": "吉林省辽源市龙山区龙山大路1088号"}  # fmt: skip
    text = "管理的幸福家园小区5号楼1号电梯检验有效期至2025年12月31日。业主现住幸福家园小区5号楼2单元301室。"
    assert redact_text(text, parties=[org]).text == (
        "管理的幸福家园小区5号楼1号电梯检验有效期至2025年12月31日。业主现住×××。"
    )


def test_a_registered_address_stays_in_full_and_in_its_shorter_forms():
    org = {"party_type": "organisation", "name": "辽源市优品电子商务有限公司",
           "address": "吉林省辽源市西安区创业大厦1201室"}  # fmt: skip
    text = "住所：吉林省辽源市西安区创业大厦1201室。经营场所位于西安区创业大厦1201室。"
    assert redact_text(text, parties=[org]).text == text


# -- other personal data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("员工孙丽丽患有活动性肺结核。", "员工孙某患有×××。"),
        ("听众佟桂兰（视力仅0.1，患有青光眼）购买床垫。", "听众佟某（×××，患有×××）购买床垫。"),
        ("致行人晏小燕右小腿被咬伤。", "致行人晏某×××。"),
        ("其妻刘桂芳（1987年5月6日出生）负责收款。", "其妻刘某（×××出生）负责收款。"),
        ("之子孙浩然（15岁，就读于辽源市第五中学初二（3）班）看管货物。", "之子孙某（15岁，就读于×××）看管货物。"),
        ("系辽源市实验中学七年级二班学生", "系×××学生"),
        ("顾客鲁文静持会员卡号VIP20250817的储值卡消费。", "顾客鲁某持会员卡号×××的储值卡消费。"),
        ("以网店昵称“多多家的小零食”开设网店，抖音号：wanqing8888。", "以网店昵称×××开设网店，抖音号：×××。"),
        ("注册建造师证书编号：吉222141512345。", "注册建造师证书编号：×××。"),
        ("驾驶吉D8K726号面包车，又驾驶吉D·88M66号轿车。", "驾驶×××号面包车，又驾驶×××号轿车。"),
    ],
)
def test_personal_data_in_running_text_is_removed(text, expected):
    assert redact_text(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "安排患有有碍食品安全疾病的人员从事接触直接入口食品的工作。",  # the statute's words
        "宣称其保健床垫可治愈高血压、冠心病。",  # a product's claim
        "从业人员未取得健康合格证明。",  # a certificate, not a health condition
        "为辽源市第三中学生产的学生校服纤维含量不合格。",  # a school as a customer
        "电梯注册代码：31102204022015060012，使用登记证编号：梯11吉D00123(18)。",  # a lift, not a plate
        "药品经营许可证编号：吉BA4370025；食品经营许可证编号JY22204020034567；报告编号W2026-03-1188。",
        "违法所得人民币960元，货值金额人民币2880元，依据《中华人民共和国食品安全法》第一百二十四条。",
    ],
)
def test_what_is_public_stays(text):
    assert redact_text(text).text == text


# -- the publish-time check ---------------------------------------------------------------------------


def test_the_check_finds_typed_back_data_in_any_field():
    fields = {"party_name": "王某", "facts": "当事人王某销售过期食品。", "remarks": "经与王小明核实，其妻刘桂芳在场"}
    findings, candidates = check_fields(fields, parties=[PERSON], known_persons=["刘桂芳"])
    assert {(f.field, f.text) for f in findings} == {("remarks", "王小明"), ("remarks", "刘桂芳")}
    assert candidates == []
    clean, _ = check_fields({k: v for k, v in fields.items() if k != "remarks"}, parties=[PERSON])
    assert clean == []
