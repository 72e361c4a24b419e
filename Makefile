# Build glue around cargo for the parts cargo does not build: the web map (web/, built with npm).
#   make web    install the web map's locked npm packages and build it into web/dist
#   make demo   the web map, then the demo database and its printed tour (frontline demo)
#   make serve  serve the demo database with the web map at the printed URL (anonymous reads)
#   make test   the web map, then every test, the headless-browser test included
#   make install  the `frontline` binary into ~/.cargo/bin (on the PATH of a rustup install)

CARGO ?= cargo
NPM ?= npm

.PHONY: web demo serve test install

web:
	cd web && $(NPM) ci --no-audit --no-fund && $(NPM) run build

demo: web
	$(CARGO) run --release -- demo

serve: web
	$(CARGO) run --release -- serve --public

test: web
	$(CARGO) test --workspace --locked

install:
	$(CARGO) install --locked --path crates/frontline
