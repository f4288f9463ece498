"""Redaction of personal data before publication (DOMAIN.md §6, §6.5 policy table; issue 7).

Identifiers below are synthetic but carry valid check digits where the format has one.
"""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.redaction import (
    DEFAULT_POLICY,
    Action,
    Category,
    PartyField,
    PartyType,
    RedactionPolicy,
    birth_date_from_id,
    cut_address_to_district,
    is_valid_id_number,
    is_valid_uscc,
    luhn_valid,
    mask_person_name,
    parse_party_type,
    publication_blockers,
    redact_party,
    redact_text,
)

ID18 = "220402198001011230"  # valid check digit
ID18_X = "11010519491231002X"
ID18_MINOR = "220402201206150028"  # born 2012-06-15
ID15 = "220402800101123"  # first-generation, born 1980-01-01
USCC_HUAWEI = "914403001922038216"
USCC_LETTERS = "91440300MA5H0HLK5U"
USCC_ALL_DIGITS = "122204004123456703"  # 事业单位-style code with numeric check characters
BANK19 = "6222021234567890128"  # Luhn-valid
BANK16 = "6217001234567893"


def masked_categories(result):
    return [s.category for s in result.masked]


def assert_removed(text, secret, category, **kwargs):
    result = redact_text(text, **kwargs)
    assert secret not in result.text, result.text
    assert category in masked_categories(result), result.spans
    return result


def assert_intact(text, **kwargs):
    result = redact_text(text, **kwargs)
    assert result.text == text, list(result.masked)
    assert not result.masked


# ---------------------------------------------------------------------------------------------------
# Validators
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [USCC_HUAWEI, USCC_LETTERS, "91133100MA0D8N1J7G", USCC_ALL_DIGITS])
def test_valid_uscc(code):
    assert is_valid_uscc(code)
    assert is_valid_uscc(code.lower())


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038217",  # wrong GB 32100 check character
        "91440300MA5H0HLK5V",
        "91440300MA5H0HLK5",  # too short
        "91440300MI5H0HLK5U",  # I is not in the GB 32100 alphabet
        ID18,
    ],
)
def test_invalid_uscc(code):
    assert not is_valid_uscc(code)


def test_resident_id_validation():
    assert is_valid_id_number(ID18)
    assert is_valid_id_number(ID18_X)
    assert is_valid_id_number(ID15)
    assert not is_valid_id_number("220402198001011234")  # check digit wrong
    assert is_valid_id_number("220402198001011234", check_digit=False)
    assert not is_valid_id_number("220402198013011230")  # month 13
    assert not is_valid_id_number(USCC_ALL_DIGITS)
    assert birth_date_from_id(ID18_MINOR) == dt.date(2012, 6, 15)
    assert birth_date_from_id(ID15) == dt.date(1980, 1, 1)


def test_luhn():
    assert luhn_valid(BANK19) and luhn_valid(BANK16) and luhn_valid("6222 0212 3456 7890 128")
    assert not luhn_valid("6222021234567890127")


# ---------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张某"),
        ("王小明", "王某"),
        ("欧阳娜娜", "欧阳某"),
        ("司马光", "司马某"),
        ("诸葛亮", "诸葛某"),
        ("上官婉儿", "上官某"),
        ("欧阳", "欧某"),  # two characters: surname 欧 + given name 阳 is the safer reading
        ("阿卜杜拉·艾力", "阿某"),  # transliterated name keeps its first character
        ("John Smith", "J"),  # English names keep their first letter
        ("张某", "张某"),  # idempotent
        ("张  三", "张某"),
        ("", ""),
    ],
)
def test_mask_person_name(name, masked):
    assert mask_person_name(name) == masked


def test_mask_person_name_custom_suffix():
    assert mask_person_name("李四", "某某") == "李某某"


def test_known_person_masked_everywhere():
    text = "当事人张三于2026年3月1日在其经营场所销售过期食品，张三对上述事实无异议。"
    result = redact_text(text, known_persons=["张三"])
    assert result.text == "当事人张某于2026年3月1日在其经营场所销售过期食品，张某对上述事实无异议。"
    assert [s.category for s in result.masked] == [Category.PERSON_NAME] * 2


def test_compound_surname_in_text():
    result = redact_text("经营者欧阳娜娜未能提供进货票据。", known_persons=["欧阳娜娜"])
    assert result.text == "经营者欧阳某未能提供进货票据。"


def test_spaced_out_name_in_a_form():
    assert redact_text("姓 名：张  三", known_persons=["张三"]).text == "姓 名：张某"


def test_names_found_from_labels_are_masked_everywhere():
    text = "当事人：李四，男，1980年1月1日出生。经查，李四未取得许可。"
    # Birth dates are personal data too (个人信息保护法 第四条): removed, "出生" stays.
    assert redact_text(text).text == "当事人：李某，男，×××出生。经查，李某未取得许可。"
    assert redact_text("姓名：司马光；性别：男").text == "姓名：司马某；性别：男"
    assert redact_text("经营者：王五。").text == "经营者：王某。"


def test_officer_names_are_public():
    assert_intact("执法人员姓名：刘洋、陈晨，执法证号：22040012345、22040012346。")


def test_single_character_known_person_is_ignored():
    assert_intact("王某某一案", known_persons=["王"])


# ---------------------------------------------------------------------------------------------------
# Identifiers and contact details
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"身份证号码：{ID18}，",
        f"公民身份号码{ID18}。",
        f"当事人（{ID18}）",
        f"身份证号{ID18_X}",
        f"身份证号{ID18_X.lower()}",
        f"居民身份证{ID15}，",
        "身份证号码：220402198001011234",  # mistyped check digit: still an ID
    ],
)
def test_id_numbers_removed(text):
    result = redact_text(text)
    assert Category.ID_NUMBER in masked_categories(result)
    assert not any(ch.isdigit() for ch in result.text)


def test_labelled_id_number_does_not_swallow_the_closing_bracket():
    text = f"司马光（身份证号码：{ID18_X}）"
    assert redact_text(text, known_persons=["司马光"]).text == "司马某（身份证号码：×××）"


def test_passport_and_other_id_documents_by_label():
    assert_removed("护照号码：E12345678。", "E12345678", Category.ID_NUMBER)
    assert_removed("证件号码：H12345678（港澳居民来往内地通行证）", "H12345678", Category.ID_NUMBER)


@pytest.mark.parametrize(
    "phone",
    ["13804370000", "138 0437 0000", "138-0437-0000", "+86 13804370000", "+86-138-0437-0000", "8613804370000"],
)
def test_mobile_numbers_removed(phone):
    result = assert_removed(f"联系人手机{phone}，", phone, Category.MOBILE_PHONE)
    assert result.text == "联系人手机×××，"


@pytest.mark.parametrize(
    "phone", ["0437-3221234", "(0437)3221234", "（0437）3221234", "0437 3221234", "04373221234", "010-88886666-123"]
)
def test_landline_numbers_removed(phone):
    assert_removed(f"其店内电话为{phone}。", phone, Category.LANDLINE_PHONE)


def test_labelled_contact_number():
    result = redact_text("联系电话：0437-3221234；")
    assert result.text == "联系电话：×××；"


def test_hotlines_are_not_personal_data():
    assert_intact("如对本决定不服，可拨打投诉举报电话12315或政务服务便民热线12345咨询。")


def test_email_removed():
    assert_removed("电子邮箱：zhang.san_1980@example.com.cn，", "zhang.san_1980@example.com.cn", Category.EMAIL)


def test_instant_messaging_accounts_removed():
    assert_removed("微信号：zs_liaoyuan2026，", "zs_liaoyuan2026", Category.OTHER_CONTACT)
    assert_removed("QQ：123456789。", "123456789", Category.OTHER_CONTACT)


@pytest.mark.parametrize("card", [BANK19, BANK16, "6222 0212 3456 7890 128", "6222-0212-3456-7890"])
def test_bank_card_numbers_removed(card):
    assert_removed(f"违法所得转入其名下银行卡{card}内。", card, Category.BANK_ACCOUNT)


@pytest.mark.parametrize("card", [BANK19, BANK16, "6222 0212 3456 7894"])
def test_unlabelled_luhn_valid_card_numbers_removed(card):
    assert_removed(f"货款经由{card}支付。", card, Category.BANK_ACCOUNT)


def test_unlabelled_long_numbers_failing_luhn_are_not_bank_cards():
    assert_intact("订单号：202603051234567890，交易流水号6222021234567890127。")


def test_labelled_corporate_account_removed():
    assert_removed(
        "开户银行：中国工商银行辽源分行，账号：0712 3456 7890 12。", "0712 3456 7890 12", Category.BANK_ACCOUNT
    )


@pytest.mark.parametrize(
    "plate",
    ["吉A12345", "吉D·12345", "吉A·D12345", "吉AD12345", "吉A12345D", "京AF12345", "吉B1234挂", "辽C-8M888"],
)
def test_licence_plates_removed(plate):
    result = assert_removed(f"驾驶号牌为{plate}的车辆", plate, Category.PLATE)
    assert result.text == "驾驶号牌为×××的车辆"


@pytest.mark.parametrize(
    "certificate",
    [
        "吉（2020）辽源市不动产权第0001234号",
        "吉(2021)东丰县不动产证明第0000123号",
        "辽房权证龙山字第123456号",
        "辽源国用（2010）第123号",
    ],
)
def test_property_certificate_numbers_removed(certificate):
    assert_removed(f"涉案房产（{certificate}）已被查封。", certificate, Category.PROPERTY_CERT)


def test_labelled_certificate_numbers_removed():
    assert_removed("房产证号：X京房权证朝字第1234567号，", "1234567", Category.PROPERTY_CERT)
    assert_removed("机动车登记证书编号：220012345678。", "220012345678", Category.PROPERTY_CERT)


def test_health_status_removed():
    result = assert_removed("健康状况：患有高血压，", "高血压", Category.HEALTH)
    assert result.text == "健康状况：×××，"


# ---------------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("吉林省辽源市龙山区向阳街道人民大街123号3单元501室", "吉林省辽源市龙山区"),
        ("辽源市西安区仙城大路99号", "辽源市西安区"),
        ("辽源市东丰县东丰镇幸福村3组", "辽源市东丰县"),
        ("吉林省东辽县安石镇", "吉林省东辽县"),
        ("吉林省梅河口市新华街道和平小区2栋", "吉林省梅河口市"),
        ("北京市朝阳区建国路88号", "北京市朝阳区"),
        ("上海市浦东新区世纪大道1号", "上海市浦东新区"),
        ("新疆维吾尔自治区乌鲁木齐市天山区解放南路1号", "新疆维吾尔自治区乌鲁木齐市天山区"),
        ("延边朝鲜族自治州延吉市河南街1号", "延边朝鲜族自治州延吉市"),
        ("内蒙古自治区锡林郭勒盟正蓝旗上都镇", "内蒙古自治区锡林郭勒盟正蓝旗"),
        ("辽源市龙山区新兴市场2号", "辽源市龙山区"),
        ("吉林省辽源市", "吉林省辽源市"),
        ("人民大街123号", ""),  # nothing at county level: remove it all
        ("", ""),
    ],
)
def test_cut_address_to_district(address, district):
    assert cut_address_to_district(address) == district


def test_cut_address_errs_on_the_side_of_cutting_more():
    # 镇赉县 starts with 镇 (a township marker), so only the prefecture survives: over-redaction, not a leak.
    assert cut_address_to_district("吉林省白城市镇赉县镇赉镇") == "吉林省白城市"


def test_labelled_home_address_cut_to_district():
    text = "住址：吉林省辽源市龙山区向阳街道人民大街123号3单元501室，联系电话：13804370000。"
    result = redact_text(text)
    assert result.text == "住址：吉林省辽源市龙山区，联系电话：×××。"
    assert masked_categories(result) == [Category.HOME_ADDRESS, Category.MOBILE_PHONE]


def test_court_style_address_cut_to_district():
    text = "张三，男，汉族，1980年1月1日出生，住吉林省辽源市西安区仙城大路99号。"
    assert redact_text(text, known_persons=["张三"]).text == "张某，男，汉族，×××出生，住吉林省辽源市西安区。"


def test_soft_address_phrases_cut_only_when_they_read_as_an_address():
    assert redact_text("当事人家住辽源市龙山区人民大街1号。").text == "当事人家住辽源市龙山区。"
    assert redact_text("其居住在吉林省东丰县东丰镇幸福村。").text == "其居住在吉林省东丰县。"
    assert_intact("居住在此的居民反映噪声扰民。")


def test_vehicle_identifiers_removed():
    assert_removed("车辆识别代号：LSVAU033512345678，", "LSVAU033512345678", Category.PLATE)


def test_known_address_cut_wherever_it_appears():
    text = "执法人员在辽源市龙山区福镇大路1288号3楼发现涉案物品。"
    result = redact_text(text, known_addresses=["辽源市龙山区福镇大路1288号3楼"])
    assert result.text == "执法人员在辽源市龙山区发现涉案物品。"


def test_home_address_policy_remove():
    policy = RedactionPolicy.from_dict({"text_actions": {"home_address": "remove"}})
    assert redact_text("家庭住址：辽源市龙山区人民大街1号。", policy=policy).text == "家庭住址：×××。"


# ---------------------------------------------------------------------------------------------------
# False positives: what must stay intact
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # organisations and their codes
        f"当事人：辽源市龙山区鑫源食品有限公司，统一社会信用代码：{USCC_HUAWEI}。",
        f"统一社会信用代码{USCC_LETTERS}",
        f"统一社会信用代码：{USCC_ALL_DIGITS}（事业单位）",
        "注册号：220402000012345",
        "营业执照注册号220402800101123",  # looks like an old ID but is labelled as a registration number
        # law article numbers
        "违反了《中华人民共和国食品安全法》第三十四条第（十）项、第8条第1款的规定",
        "依据《中华人民共和国行政处罚法》第三十二条第一项，第一百二十四条第一款第（二）项",
        # amounts
        "决定处以罚款人民币50000元（伍万元整）",
        "罚款5万元，没收违法所得12345678元",
        "罚款人民币1,234,567.89元",
        "违法经营额13500000000元",  # eleven digits starting with 13, but an amount
        "查扣500千克、300件",
        # dates and times
        "2026年3月5日 14时30分",
        "2026-03-05、2026.03.05、2026/3/5、20260305",
        # document and licence numbers
        "辽源市监处罚〔2026〕12号",
        "吉市监罚字〔2025〕第0012号、辽源市监处罚[2026]12号",
        "食品经营许可证编号：JY12204020012345",
        "网站备案号京ICP备12345678号",
        "执法证号：22040012345",
        "比例为3%，期限15日",
    ],
)
def test_non_personal_text_stays_intact(text):
    assert_intact(text)


def test_uscc_is_reported_as_kept():
    result = redact_text(f"统一社会信用代码：{USCC_LETTERS}")
    assert [(s.category, s.action) for s in result.spans] == [(Category.USCC, Action.KEEP)]
    assert result.masked == ()


def test_organisation_name_protected_from_person_masking():
    text = "当事人龙山区张三小吃部（经营者张三）"
    result = redact_text(text, known_persons=["张三"], keep_phrases=["龙山区张三小吃部"])
    assert result.text == "当事人龙山区张三小吃部（经营者张某）"


# ---------------------------------------------------------------------------------------------------
# A whole decision
# ---------------------------------------------------------------------------------------------------

DECISION = (
    "辽源市市场监督管理局\n行政处罚决定书\n辽源市监处罚〔2026〕12号\n"
    f"当事人：王小明，男，汉族，1980年1月1日出生，身份证号码：{ID18}，"
    "住址：吉林省辽源市龙山区向阳街道人民大街123号3单元501室，联系电话：13804370000。\n"
    "经营场所：辽源市龙山区东吉街道站前路5号。\n"
    f"2026年3月1日，王小明驾驶吉A·D12345号车辆运输过期食品，货款转入其银行卡{BANK19}。"
    "辽源市龙山区鑫源食品有限公司（统一社会信用代码：914403001922038216）为供货方。\n"
    "上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。依据第一百二十四条第一款，"
    "决定：罚款人民币50000元。当事人应当自收到本决定书之日起十五日内缴纳罚款。\n"
    "如不服本决定，可在收到本决定书之日起六十日内申请行政复议。\n2026年3月10日"
)


def test_whole_decision():
    result = redact_text(DECISION)
    for secret in ("小明", ID18, "人民大街123号", "13804370000", "吉A·D12345", BANK19):
        assert secret not in result.text
    for kept in (
        "辽源市监处罚〔2026〕12号",
        "王某，男，汉族，×××出生",
        "住址：吉林省辽源市龙山区，",
        "辽源市龙山区鑫源食品有限公司（统一社会信用代码：914403001922038216）",
        "第三十四条第（十）项",
        "罚款人民币50000元",
        "2026年3月10日",
    ):
        assert kept in result.text
    assert result.text.count("王某") == 2
    # spans map both texts exactly
    for span in result.spans:
        assert DECISION[span.start : span.end] == span.original
        assert result.text[span.out_start : span.out_end] == span.replacement
        assert span.reason
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_redaction_is_idempotent():
    once = redact_text(DECISION).text
    assert redact_text(once).text == once


# ---------------------------------------------------------------------------------------------------
# Structured parties (§6.5 table)
# ---------------------------------------------------------------------------------------------------


def test_natural_person_party():
    party = {
        "party_type": "natural_person",
        "name": "欧阳娜娜",
        "id_number": ID18,
        "address": "吉林省辽源市龙山区向阳街道人民大街123号",
        "phone": "13804370000",
        "email": "ouyang@example.com",
        "bank_account": BANK19,
        "plate_number": "吉A12345",
        "property_cert_number": "吉（2020）辽源市不动产权第0001234号",
        "health": "高血压",
        "birth_date": "1980-01-01",
        "note": "其妻电话13900001111",
    }
    redacted = redact_party(party)
    assert redacted.party_type is PartyType.NATURAL_PERSON
    assert redacted.data == {
        "party_type": "natural_person",
        "name": "欧阳某",
        "address": "吉林省辽源市龙山区",
        "birth_date": "1980-01-01",
        "note": "其妻电话×××",
    }
    changed = {c.field for c in redacted.changes}
    assert {PartyField.NAME, PartyField.ID_NUMBER, PartyField.HOME_ADDRESS, PartyField.HEALTH} <= changed


def test_sole_trader_party():
    party = {
        "party_type": "个体工商户",
        "name": "龙山区张三小吃部",
        "operator_name": "张三",
        "uscc": "92220402MA0Y123456",
        "business_address": "辽源市龙山区站前路5号",
        "home_address": "辽源市龙山区人民大街1号",
        "id_number": ID18,
        "phone": "13804370000",
    }
    data = redact_party(party).data
    assert data == {
        "party_type": "个体工商户",
        "name": "龙山区张三小吃部",
        "operator_name": "张某",
        "uscc": "92220402MA0Y123456",
        "business_address": "辽源市龙山区站前路5号",
    }


def test_organisation_party():
    party = {
        "行政相对人类别": "法人及非法人组织",
        "名称": "辽源市鑫源食品有限公司",
        "统一社会信用代码": USCC_HUAWEI,
        "法定代表人": "李四",
        "法定代表人身份证号": ID18,
        "住所": "吉林省辽源市龙山区站前路5号",
        "银行账号": "0712345678901234",
        "联系电话": "0437-3221234",
    }
    data = redact_party(party).data
    assert data == {
        "行政相对人类别": "法人及非法人组织",
        "名称": "辽源市鑫源食品有限公司",
        "统一社会信用代码": USCC_HUAWEI,
        "法定代表人": "李四",
        "住所": "吉林省辽源市龙山区站前路5号",
    }


def test_party_without_type_is_rejected():
    with pytest.raises(ValueError, match="party_type"):
        redact_party({"name": "张三"})
    with pytest.raises(ValueError, match="unknown party type"):
        parse_party_type("外星人")


def test_parties_drive_free_text_redaction():
    parties = [
        {"party_type": "sole_trader", "name": "龙山区张三小吃部", "operator_name": "张三",
         "home_address": "辽源市龙山区人民大街1号", "phone": "0437 322 1234"},
        {"party_type": "organisation", "name": "辽源市鑫源食品有限公司", "legal_representative": "李四",
         "address": "辽源市龙山区站前路5号"},
    ]  # fmt: skip
    text = (
        "龙山区张三小吃部经营者张三从辽源市鑫源食品有限公司（法定代表人李四，住所辽源市龙山区站前路5号）"
        "购进货物，存放于其家中（辽源市龙山区人民大街1号），联系电话0437 322 1234。"
    )
    result = redact_text(text, parties=parties)
    assert result.text == (
        "龙山区张三小吃部经营者张某从辽源市鑫源食品有限公司（法定代表人李四，住所辽源市龙山区站前路5号）"
        "购进货物，存放于其家中（×××），联系电话×××。"
    )


# ---------------------------------------------------------------------------------------------------
# Policy configuration
# ---------------------------------------------------------------------------------------------------


def test_policy_json_round_trip():
    policy = RedactionPolicy.from_dict(
        {
            "text_actions": {"plate": "keep"},
            "party_actions": {"organisation": {"phone": "keep", "legal_representative": "mask_name"}},
            "placeholder": "＊＊＊",
            "name_mask": "某某",
        }
    )
    data = json.loads(json.dumps(policy.to_dict(), ensure_ascii=False))
    assert RedactionPolicy.from_dict(data, base=RedactionPolicy()) == policy
    assert redact_text("吉A12345，张三", known_persons=["张三"], policy=policy).text == "吉A12345，张某某"
    org = {"party_type": "organisation", "name": "某公司", "legal_representative": "李四", "phone": "0437-3221234"}
    assert redact_party(org, policy).data["phone"] == "0437-3221234"
    assert redact_party(org, policy).data["legal_representative"] == "李某某"
    assert policy.placeholder_for(Category.EMAIL) == "＊＊＊"


def test_default_policy_matches_the_domain_table():
    person, trader, org = PartyType.NATURAL_PERSON, PartyType.SOLE_TRADER, PartyType.ORGANISATION
    assert DEFAULT_POLICY.party_action(person, PartyField.NAME) is Action.MASK_NAME
    assert DEFAULT_POLICY.party_action(person, PartyField.HOME_ADDRESS) is Action.CUT_TO_DISTRICT
    assert DEFAULT_POLICY.party_action(trader, PartyField.NAME) is Action.KEEP
    assert DEFAULT_POLICY.party_action(trader, PartyField.OPERATOR_NAME) is Action.MASK_NAME
    assert DEFAULT_POLICY.party_action(trader, PartyField.HOME_ADDRESS) is Action.REMOVE
    assert DEFAULT_POLICY.party_action(trader, PartyField.BUSINESS_ADDRESS) is Action.KEEP
    assert DEFAULT_POLICY.party_action(org, PartyField.NAME) is Action.KEEP
    assert DEFAULT_POLICY.party_action(org, PartyField.USCC) is Action.KEEP
    for party_type in PartyType:
        for removed in (PartyField.ID_NUMBER, PartyField.LEGAL_REPRESENTATIVE_ID, PartyField.BANK_ACCOUNT,
                        PartyField.PLATE, PartyField.PROPERTY_CERT):  # fmt: skip
            assert DEFAULT_POLICY.party_action(party_type, removed) is Action.REMOVE


@pytest.mark.parametrize(
    "overrides",
    [
        {"text_actions": {"id_number": "mask_name"}},
        {"text_actions": {"no_such_category": "remove"}},
        {"party_actions": {"organisation": {"phone": "cut_to_district"}}},
        {"party_actions": {"martian": {"name": "keep"}}},
        {"placeholdr": "x"},
        {"name_mask": ""},
    ],
)
def test_invalid_policy_overrides_are_rejected(overrides):
    with pytest.raises(ValueError):
        RedactionPolicy.from_dict(overrides)


# ---------------------------------------------------------------------------------------------------
# Minors (DOMAIN §2.9, §6.5): the whole decision is not published
# ---------------------------------------------------------------------------------------------------


def test_minor_party_blocks_publication():
    minor = {"party_type": "natural_person", "name": "赵六", "id_number": ID18_MINOR}
    adult = {"party_type": "natural_person", "name": "张三", "birth_date": "1980-01-01"}
    org = {"party_type": "organisation", "name": "某公司"}
    assert publication_blockers([adult, minor, org], on=dt.date(2026, 3, 1)) == ("minor",)
    assert publication_blockers([adult, org], on=dt.date(2026, 3, 1)) == ()
    assert publication_blockers([minor], on=dt.date(2030, 6, 15)) == ()  # 18 on that day
    relaxed = RedactionPolicy.from_dict({"publish_minors": True})
    assert publication_blockers([minor], on=dt.date(2026, 3, 1), policy=relaxed) == ()


# ---------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------

SAFE = st.sampled_from(
    [
        "经查，", "当事人", "于2026年3月5日", "在辽源市龙山区", "销售过期食品，", "罚款人民币50000元。",
        "依据第三十二条第8条第1款，", "辽源市监处罚〔2026〕12号", "统一社会信用代码" + USCC_LETTERS + "，",
        "货值5万元，", "\n", " ", "（", "）",
    ]
)  # fmt: skip
SECRETS = st.sampled_from(
    [ID18, ID18_X, "13804370000", "0437-3221234", BANK19, "吉A·D12345", "zs@example.com", "辽房权证龙山字第123456号"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(SAFE, SECRETS.map(lambda s: ("secret", s))), max_size=12))
def test_no_secret_survives_and_spans_are_consistent(parts):
    pieces = []
    secrets = []
    for part in parts:
        if isinstance(part, tuple):
            secrets.append(part[1])
            pieces.append("，" + part[1] + "，")
        else:
            pieces.append(part)
    text = "".join(pieces)
    result = redact_text(text)
    for secret in secrets:
        assert secret not in result.text
    assert USCC_LETTERS in result.text or USCC_LETTERS not in text
    assert "〔2026〕12号" in result.text or "〔2026〕12号" not in text
    cursor = 0
    for span in result.spans:
        assert span.start >= cursor
        assert text[span.start : span.end] == span.original
        assert result.text[span.out_start : span.out_end] == span.replacement
        cursor = span.end
