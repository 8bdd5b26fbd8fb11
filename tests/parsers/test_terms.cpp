// Terms-page classification (parsers/terms.h): clause texts for each right and stance, negations,
// sentence splitting, link discovery, and agreement with the stance the simulator writes into every
// portal's terms pages.
#include <doctest/doctest.h>

#include <string>

#include "parsers/terms.h"
#include "registry/registry.h"

using namespace odh;
using namespace odh::terms;

namespace {
Stance st(Aspect a, const std::string& s) { return classify_sentence(a, s); }
}  // namespace

TEST_CASE("free access: 不限时免费 / 现阶段免费 / not stated (the report has no 收费)") {
  CHECK(st(Aspect::kFreeAccess, "用户通过本网站获取开放数据，本网站不收取任何费用") == Stance::kGranted);
  CHECK(st(Aspect::kFreeAccess, "本平台向社会公众免费提供数据下载服务") == Stance::kGranted);
  CHECK(st(Aspect::kFreeAccess, "本平台现阶段免费提供数据服务，今后是否收费另行通知") == Stance::kLimited);
  CHECK(st(Aspect::kFreeAccess, "目前本网站数据免费开放，平台有权调整收费政策") == Stance::kLimited);
  CHECK(st(Aspect::kFreeAccess, "有条件开放类数据须经提供部门审核同意后方可获取") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeAccess, "用户下载数据须按标准缴纳数据服务费") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeAccess, "本平台数据实行有偿使用") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeAccess, "本网站对因网络故障造成的任何费用损失不承担责任") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeAccess, "用户应妥善保管账号和密码") == Stance::kNotStated);
}

TEST_CASE("non-discrimination: equal access is 保障; registration or reserved access is not a guarantee") {
  CHECK(st(Aspect::kNonDiscrimination, "所有用户均可平等地获取本平台开放的数据") == Stance::kGranted);
  CHECK(st(Aspect::kNonDiscrimination, "本平台对所有用户一视同仁，不设置歧视性条件") == Stance::kGranted);
  CHECK(st(Aspect::kNonDiscrimination, "无条件开放数据无需注册即可下载") == Stance::kGranted);
  CHECK(st(Aspect::kNonDiscrimination, "用户须注册并通过实名认证后方可下载数据") == Stance::kNotStated);
  CHECK(st(Aspect::kNonDiscrimination, "平台根据用户类型提供不同的数据服务") == Stance::kNotStated);
  CHECK(st(Aspect::kNonDiscrimination, "本平台数据仅向政府部门提供，其他单位和个人不得申请") ==
        Stance::kNotStated);
  CHECK(st(Aspect::kNonDiscrimination, "本平台数据由各部门提供") == Stance::kNotStated);
}

TEST_CASE("free use: 可以自由… / 未经许可不得用于商业目的 / 不得以任何形式使用 / liability is not a right") {
  CHECK(st(Aspect::kFreeUse, "用户可以自由使用本平台的开放数据，包括商业性开发利用") == Stance::kGranted);
  CHECK(st(Aspect::kFreeUse, "在遵守法律法规的前提下，用户可对开放数据进行分析和开发应用") ==
        Stance::kGranted);
  CHECK(st(Aspect::kFreeUse, "用户可免费使用数据，但不得用于违法用途") ==
        Stance::kNotStated);  // fee → access
  CHECK(st(Aspect::kFreeUse, "用户可以使用数据开发应用，但不得将数据用于违法活动") == Stance::kGranted);
  CHECK(st(Aspect::kFreeUse, "未经许可，用户不得将数据用于商业目的") == Stance::kLimited);
  CHECK(st(Aspect::kFreeUse, "数据仅限于科研和教学用途使用") == Stance::kLimited);
  CHECK(st(Aspect::kFreeUse, "用户使用数据须事先征得数据提供单位同意") == Stance::kLimited);
  CHECK(st(Aspect::kFreeUse, "未经本网站授权，任何单位和个人不得以任何形式使用本网站数据") ==
        Stance::kLimited);
  CHECK(st(Aspect::kFreeUse, "禁止利用本平台数据从事任何开发活动") == Stance::kLimited);
  CHECK(st(Aspect::kFreeUse, "因使用本平台数据造成的损失，本平台不承担责任") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeUse, "用户可以自由使用本网站的搜索功能") == Stance::kNotStated);  // not about data
}

TEST_CASE("free sharing: 可自由传播 / 须征得同意 / 不得转让 / website content is not data") {
  CHECK(st(Aspect::kFreeSharing, "用户可以自由传播和分享所获取的数据，但应注明数据来源") == Stance::kGranted);
  CHECK(st(Aspect::kFreeSharing, "转载本平台数据须事先征得数据提供单位同意") == Stance::kLimited);
  CHECK(st(Aspect::kFreeSharing, "用户不得将所获取的数据转让给第三方") == Stance::kDenied);
  CHECK(st(Aspect::kFreeSharing, "未经许可，不得转载、复制、传播本网站数据") == Stance::kLimited);
  CHECK(st(Aspect::kFreeSharing, "不得将数据用于商业性转售") == Stance::kLimited);
  CHECK(st(Aspect::kFreeSharing, "如需转载本网站原创内容，请注明出处") == Stance::kNotStated);
  CHECK(st(Aspect::kFreeSharing, "本网站所载内容的版权属于本网站所有") == Stance::kNotStated);
}

TEST_CASE("licence: explicit licence sentence, else free use or sharing granted; most restrictive wins") {
  CHECK(st(Aspect::kLicence, "本平台数据采用知识共享署名 4.0 许可协议（CC BY 4.0）开放") == Stance::kGranted);
  auto v = classify(
      "1、用户可以自由使用本平台数据进行开发。\n2、用户不得将数据转让给第三方。\n"
      "（三）本平台免费提供数据。第四条 未经许可不得将数据用于商业目的。其他条款。");
  REQUIRE(v.size() == 5);
  CHECK(v[0].stance == Stance::kGranted);                    // free access
  CHECK(v[1].stance == Stance::kNotStated);                  // non-discrimination
  CHECK(v[2].stance == Stance::kLimited);                    // free use: the limit wins over the grant
  CHECK(v[2].evidence == "未经许可不得将数据用于商业目的");  // clause number removed
  CHECK(v[3].stance == Stance::kDenied);                     // free sharing
  CHECK(v[4].stance == Stance::kNotStated);                  // no grant of use/sharing left standing
  CHECK(std::string(verdict_label(Aspect::kFreeAccess, v[0].stance)) == "不限时免费");
  CHECK(std::string(verdict_label(Aspect::kFreeSharing, v[3].stance)) == "禁止");
  CHECK(verdict_rank("受限") == 2);
  CHECK(verdict_rank("whatever") == -1);
  CHECK(classify("").at(2).stance == Stance::kNotStated);
}

TEST_CASE("sentences, links and hostile input") {
  auto s = split_sentences("第一条 欢迎使用本平台。第二条　用户须遵守本协议！\n(3) 数据免费；完");  // ； does not split
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "欢迎使用本平台");
  CHECK(s[1] == "用户须遵守本协议");
  CHECK(s[2] == "数据免费；完");
  CHECK(is_terms_title("用户协议"));
  CHECK(is_terms_title("隐私政策"));
  CHECK(!is_terms_title("数据目录"));
  auto links = find_terms_links(
      "<html><body><a href='/terms/yhxy.html'>用户协议</a> | <a href=\"mzsm.html\">免责声明</a>"
      "<a href='/list'>数据</a><a href='javascript:void(0)'>网站声明</a><a "
      "href='/terms/yhxy.html'>用户协议</a>"
      "<a title='法律声明' href='https://x.gov.cn/fl.html'><img></a></body></html>",
      "http://data.example.gov.cn/portal/index.html");
  REQUIRE(links.size() == 3);
  CHECK(links[0].url == "http://data.example.gov.cn/terms/yhxy.html");
  CHECK(links[1].url == "http://data.example.gov.cn/portal/mzsm.html");
  CHECK(links[2].text == "法律声明");
  // Bounded: a huge page of repeated clauses and broken UTF-8 neither crashes nor explodes.
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "用户不得将数据转让给第三方。\xff\xfe";
  auto v = classify(big);
  CHECK(v[3].stance == Stance::kDenied);
  CHECK(split_sentences(big).size() <= 20000);
}
