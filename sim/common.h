// sim/common.h — pages shared by all families (internal to sim/).
#pragma once
#include "sim/faults.h"
#include "sim/family.h"

namespace odh::sim {

// robots.txt body for a portal; *status is set (404/500 variants). spec may be null.
std::string robots_txt(const Portal& p, const RobotsSpec* spec, int* status);
// Generic home page: site name, links to the family's entry points, counts, topics, footer
// with the terms pages (and the calendar trap link when trap).
std::string home_page(const HostCtx& ctx, const Family* fam, bool trap);
// Terms pages, app listing/detail, login page, /file/download/…, /calendar/… (trap only).
bool serve_common(const HostCtx& ctx, const Family* fam, const Req& req, Resp& resp, bool trap);

}  // namespace odh::sim
