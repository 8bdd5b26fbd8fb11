// A self-signed certificate for the simulator's TLS port: one EC P-256 key, SANs = every https
// portal host (DNS names or IP addresses). The crawler trusts it via the PEM file written by
// `odh sim --tls-ca FILE` (curl CAINFO).
#include "sim/tls.h"

#include <arpa/inet.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/core.h"

namespace odh::sim {

TlsMaterial::~TlsMaterial() {
  if (cert) X509_free(cert);
  if (key) EVP_PKEY_free(key);
}

std::unique_ptr<TlsMaterial> make_tls(const std::vector<std::string>& hosts) {
  auto t = std::make_unique<TlsMaterial>();
  t->key = EVP_EC_gen("P-256");
  if (!t->key) throw Failure("sim: cannot generate a TLS key");
  t->cert = X509_new();
  X509_set_version(t->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(t->cert), 2021);
  X509_gmtime_adj(X509_getm_notBefore(t->cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(t->cert), 3650L * 24 * 3600);
  X509_set_pubkey(t->cert, t->key);
  X509_NAME* name = X509_get_subject_name(t->cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("odh portal simulator"), -1, -1, 0);
  X509_set_issuer_name(t->cert, name);
  std::string san;
  for (const auto& h : hosts) {
    std::string host = h.substr(0, h.find(':'));
    unsigned char buf[16];
    san += (san.empty() ? "" : ",") + std::string(inet_pton(AF_INET, host.c_str(), buf) == 1 ? "IP:" : "DNS:") + host;
  }
  if (san.empty()) san = "DNS:localhost";
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, t->cert, t->cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san}, {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) throw Failure("sim: cannot build the TLS certificate extension");
    X509_add_ext(t->cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(t->cert, t->key, EVP_sha256())) throw Failure("sim: cannot sign the TLS certificate");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, t->cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  t->cert_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return t;
}

}  // namespace odh::sim
