#include "runner/http/internal/certificate.hpp"
#include "runner/http/internal/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace conform::http::internal {

namespace {

// What the certificate names: every address a loopback client may dial (RFC 6125 6.2.1: an
// IP literal is only matched against an IP subjectAltName, never the common name).
constexpr const char* k_subject_alt_names = "IP:127.0.0.1,IP:::1,DNS:localhost";
constexpr long k_not_before_seconds = -60L * 60;         // an hour of clock skew
constexpr long k_not_after_seconds = 30L * 24 * 60 * 60; // 30 days

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct ExtensionFree {
    void operator()(X509_EXTENSION* e) const noexcept { X509_EXTENSION_free(e); }
};

core::Unexpected<core::Diagnostic> certificate_failure(std::string_view what) {
    return core::fail("cannot make the TLS certificate: " + std::string(what) + ": " +
                      take_openssl_errors());
}

bool add_extension(X509* certificate, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ExtensionFree> extension(
        X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

} // namespace

core::Result<SelfSignedCertificate> make_self_signed_certificate() {
    SelfSignedCertificate out;
    out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!out.key)
        return certificate_failure("EC P-256 key generation");

    out.certificate.reset(X509_new());
    X509* certificate = out.certificate.get();
    if (!certificate)
        return certificate_failure("X509_new");
    // RFC 5280 4.1.2.2: a positive serial of at most 20 octets; random, so that a client
    // that cached an earlier run's certificate does not confuse the two.
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)))
        return certificate_failure("serial number");
    if (X509_set_version(certificate, X509_VERSION_3) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(certificate), k_not_before_seconds) ||
        !X509_gmtime_adj(X509_getm_notAfter(certificate), k_not_after_seconds) ||
        X509_set_pubkey(certificate, out.key.get()) != 1)
        return certificate_failure("certificate fields");

    X509_NAME* name = X509_get_subject_name(certificate);
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("conform"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(certificate, name) != 1)
        return certificate_failure("subject name");

    // Self-signed and trusted directly as its own anchor (a client's ca_file): a CA:FALSE
    // leaf is accepted by OpenSSL as a trust anchor, and keeps the certificate from signing
    // anything else if someone trusts it carelessly.
    if (!add_extension(certificate, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(certificate, NID_key_usage, "critical,digitalSignature") ||
        !add_extension(certificate, NID_ext_key_usage, "serverAuth") ||
        !add_extension(certificate, NID_subject_key_identifier, "hash") ||
        !add_extension(certificate, NID_subject_alt_name, k_subject_alt_names))
        return certificate_failure("extensions");
    if (X509_sign(certificate, out.key.get(), EVP_sha256()) <= 0)
        return certificate_failure("signing");

    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1)
        return certificate_failure("PEM encoding");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    out.pem.assign(data, static_cast<std::size_t>(size));
    return out;
}

} // namespace conform::http::internal
