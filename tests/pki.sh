# Test PKI for shell tests: pki_make DIR creates, with the openssl CLI,
#   ca.{crt,key}        root CA (ECDSA P-256)         inter.{crt,key}  intermediate CA
#   server.{crt,key}    serverAuth, SAN localhost/127.0.0.1, by the intermediate (chain in server-chain.crt)
#   client.{crt,key}    clientAuth ECDSA, by the CA    client-rsa.{crt,key}  clientAuth RSA-2048, by the intermediate
#   expired.{crt,key}   clientAuth, expired            future.{crt,key}  not yet valid
#   revoked.{crt,key}   clientAuth, revoked in crl.pem  serveronly.{crt,key}  serverAuth only (wrong EKU for a client)
#   rogue-ca.{crt,key}, rogue.{crt,key}: a client of an unknown CA
#   cas.pem = ca.crt + inter.crt (a trusted-roots bundle), rogue-crl.pem (a CRL of the rogue CA)
# pki_sign DIR NAME CN EXT ISSUER [openssl ca options]: signs DIR/NAME.key into DIR/NAME.crt.
pki_make() {
	local d=$1
	mkdir -p "$d" && (
		cd "$d" || exit 1
		cat >ca.cnf <<'X'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = index.txt
new_certs_dir = newcerts
serial = serial
crlnumber = crlnumber
default_md = sha256
policy = any
copy_extensions = copy
default_crl_days = 30
unique_subject = no
[ any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ client ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
X
		mkdir -p newcerts && : >index.txt && echo 1000 >serial && echo 1000 >crlnumber
		key() { if [ "$2" = rsa ]; then openssl genrsa -out "$1.key" 2048 2>/dev/null; else
			openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; fi; }
		key ca; openssl req -x509 -new -key ca.key -subj /CN=Test-Root-CA -days 3650 \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out ca.crt
		key rogue-ca; openssl req -x509 -new -key rogue-ca.key -subj /CN=Rogue-CA -days 3650 \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out rogue-ca.crt
		sign() { pki_sign . "$@"; }
		key inter; sign inter Test-Intermediate-CA v3_ca ca -days 3650
		key server; sign server localhost server inter -days 365
		cat server.crt inter.crt >server-chain.crt
		key client; sign client client.example.com client ca -days 365
		key client-rsa rsa; sign client-rsa client-rsa.example.com client inter -days 365
		cat client-rsa.crt inter.crt >client-rsa-chain.crt
		key expired; sign expired expired.example.com client ca -startdate 20200101000000Z -enddate 20200201000000Z
		key future; sign future future.example.com client ca -startdate 20400101000000Z -enddate 20410101000000Z
		key revoked; sign revoked revoked.example.com client ca -days 365
		key serveronly; sign serveronly serveronly.example.com server ca -days 365
		key rogue; sign rogue rogue.example.com client rogue-ca -days 365
		openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -revoke revoked.crt 2>/dev/null
		openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -gencrl -out crl.pem 2>/dev/null
		openssl ca -batch -config ca.cnf -cert rogue-ca.crt -keyfile rogue-ca.key -gencrl -out rogue-crl.pem 2>/dev/null
		cat ca.crt inter.crt >cas.pem
		rm -f ./*.csr
		for f in *.crt; do [ -s "$f" ] || { echo "pki: $f not made" >&2; exit 1; }; done
	)
}

pki_sign() {
	local d=$1 n=$2 cn=$3 ext=$4 iss=$5
	shift 5
	(
		cd "$d" || exit 1
		openssl req -new -key "$n.key" -subj "/CN=$cn" -out "$n.csr" &&
			openssl ca -batch -config ca.cnf -cert "$iss.crt" -keyfile "$iss.key" -extensions "$ext" \
				-in "$n.csr" -out "$n.crt" -notext "$@" 2>/dev/null
	)
}
