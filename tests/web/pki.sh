#!/bin/bash
# Test PKI for the web tests: pki.sh DIR
#   ca.crt/key            test CA (CA:TRUE, keyCertSign)
#   server.crt/key        CN=localhost, SAN DNS:localhost,IP:127.0.0.1, EKU serverAuth
#   client.crt/key        CN=operator, EKU clientAuth, by the CA
#   admin.crt/key         CN=Admin, EKU clientAuth, by the CA (its own cert is trusted: no password)
#   extra-ca.crt          another CA, for import tests
#   rogue.crt/key         CN=operator by an unknown CA (rogue-ca.*)
#   expired.crt/key       CN=operator by the CA, valid 2020-01-01 .. 2021-01-01
#   wrongeku.crt/key      CN=operator by the CA, EKU serverAuth only
set -e
D=$1
mkdir -p "$D"
cd "$D"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
cat >ext.cnf <<'X'
[req]
distinguished_name=dn
[dn]
[v3ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[server]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
[client]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
[wrongeku]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
X
mkca() { # name CN
	key "$1.key"
	openssl req -new -x509 -key "$1.key" -subj "/O=SBC test/CN=$2" -days 3650 \
		-extensions v3ca -config ext.cnf -out "$1.crt" 2>/dev/null
}
issue() { # name CN ext ca
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/O=SBC test/CN=$2" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 365 \
		-extfile ext.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
}
mkca ca "SBC test CA"
mkca rogue-ca "Rogue CA"
mkca extra-ca "Extra CA"
issue server localhost server ca
issue client operator client ca
issue admin Admin client ca
issue wrongeku operator wrongeku ca
issue rogue operator client rogue-ca
# expired: `openssl ca` takes explicit start and end dates
mkdir -p cadb/new
: >cadb/index.txt
echo 1000 >cadb/serial
cat >ca.cnf <<X
[ca]
default_ca=test
[test]
dir=$D/cadb
database=\$dir/index.txt
new_certs_dir=\$dir/new
serial=\$dir/serial
default_md=sha256
policy=any
copy_extensions=none
[any]
commonName=supplied
organizationName=optional
X
key expired.key
openssl req -new -key expired.key -subj "/O=SBC test/CN=operator" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.crt \
	-startdate 20200101000000Z -enddate 20210101000000Z -extfile ext.cnf -extensions client \
	-notext 2>/dev/null
# a certificate that is not one, and PKCS#12 of the valid client for browsers
printf -- '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n' >notacert.pem
echo "PKI ready in $D"
