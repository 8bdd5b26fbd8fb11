// sim/tls.h — the simulator's self-signed TLS certificate (internal to sim/).
#pragma once
#include <openssl/types.h>

#include <memory>
#include <string>
#include <vector>

namespace odh::sim {

struct TlsMaterial {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  std::string cert_pem;  // trust anchor for clients (CAINFO)
  ~TlsMaterial();
};

// One certificate valid for every host in `hosts` ("host" or "host:port").
std::unique_ptr<TlsMaterial> make_tls(const std::vector<std::string>& hosts);

}  // namespace odh::sim
