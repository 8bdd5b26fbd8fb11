#include "core/records.h"

namespace odh {

int verdict_rank(std::string_view v) {
  if (v == "未提及") return 0;
  if (v == "保障" || v == "不限时免费" || v == "可自由传播") return 1;
  if (v == "受限" || v == "现阶段免费") return 2;
  if (v == "禁止" || v == "收费") return 3;
  return -1;
}

}  // namespace odh
