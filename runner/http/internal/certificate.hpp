#pragma once
// The reference server's TLS identity, made at start (STYLE.md lesson 13: certificates are
// generated, never checked in): an EC P-256 key and a self-signed X.509 v3 certificate for
// 127.0.0.1, ::1 and localhost, valid from an hour ago (clock skew) for 30 days.

#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "runner/core/result.hpp"

namespace conform::http::internal {

struct X509Free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

struct SelfSignedCertificate {
    std::unique_ptr<X509, X509Free> certificate;
    std::unique_ptr<EVP_PKEY, PkeyFree> key;
    std::string pem; // the certificate only, for a client's ca_file
};

[[nodiscard]] core::Result<SelfSignedCertificate> make_self_signed_certificate();

} // namespace conform::http::internal
