// Builds the report model from the loaded data (reports/build.cpp).
#pragma once
#include "reports/data.h"
#include "reports/model.h"

namespace odh::reports {
Report build_report(const Data& d);
}
