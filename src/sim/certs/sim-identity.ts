/**
 * SIMULATOR-ONLY TLS identity for `https: true` simulated phones. NOT A SECRET and never used by the
 * product to talk to real phones: it is a self-signed (CA:TRUE) P-256 certificate, valid until 2126, with
 * CN=SEP00ABCDEF1234 (like a phone, the name never matches the address it is served on). Checked in so the
 * simulator needs no openssl at run time. Regenerate with:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/O=rescue-ring simulator (TEST ONLY, not secret)/CN=SEP00ABCDEF1234" \
 *     -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,digitalSignature,keyCertSign
 */
export const SIM_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIICDDCCAbGgAwIBAgIUchyRK9GbCbYjUcsSYOe4XlLqiz4wCgYIKoZIzj0EAwIw
UjE2MDQGA1UECgwtcmVzY3VlLXJpbmcgc2ltdWxhdG9yIChURVNUIE9OTFksIG5v
dCBzZWNyZXQpMRgwFgYDVQQDDA9TRVAwMEFCQ0RFRjEyMzQwIBcNMjYxMTI4MDAw
MDQ3WhgPMjEyNjExMDQwMDAwNDdaMFIxNjA0BgNVBAoMLXJlc2N1ZS1yaW5nIHNp
bXVsYXRvciAoVEVTVCBPTkxZLCBub3Qgc2VjcmV0KTEYMBYGA1UEAwwPU0VQMDBB
QkNERUYxMjM0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENq4+sRlUxiZ4UNDQ
qELczSB4SyAE5BMlN32IUIlm5Ju1oXtq7CwkC1vo5jSAoouFYlS9i9DKYoiVNA+F
vn6udKNjMGEwHQYDVR0OBBYEFD16J6d4vNKN/4r70qsctaJIzhnjMB8GA1UdIwQY
MBaAFD16J6d4vNKN/4r70qsctaJIzhnjMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P
AQH/BAQDAgKEMAoGCCqGSM49BAMCA0kAMEYCIQDU4xUeZvh99IQV2Cs1Ps5lRX6P
RV7N6Huo9CLhFF9zgwIhAObpofF6qlTigJTkjOj2WnwqA6Ps2rqENmNraNP2qInf
-----END CERTIFICATE-----
`;

export const SIM_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBxTNacOkPpQhfBVi
T6VLZbHjvpFgenR7ZDCbpqbfGB2hRANCAAQ2rj6xGVTGJnhQ0NCoQtzNIHhLIATk
EyU3fYhQiWbkm7Whe2rsLCQLW+jmNICii4ViVL2L0MpiiJU0D4W+fq50
-----END PRIVATE KEY-----
`;
