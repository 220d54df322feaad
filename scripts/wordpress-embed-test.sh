#!/usr/bin/env bash
# Issue 14's WordPress scenario, with a real WordPress: a post whose body is only the address
# of a Parvis thread gets the thread embedded by WordPress's own oEmbed discovery; a visitor
# sees it at the height the frame reports; a click on the call to action goes through
# /r/{click_id} to the organisation's page with the click id; the organisation reports the
# conversion, signed, and the admin's funnel counts impression, click and conversion.
#
# Everything runs on loopback, in processes this script starts and stops:
#   Parvis (demo)        http://127.0.0.1:<port>       the provider
#   WordPress            http://127.0.0.2:<port>       nginx + php-fpm + MariaDB (Debian packages)
#   the organisation     http://127.0.0.1:<port>       a static page (python3 -m http.server)
# WordPress sits on 127.0.0.2 so that Parvis is another host to it: its discovery then refuses
# the loopback address and the random port unless the test-only must-use plugin written
# below allows them (filters `http_request_host_is_external` and `http_allowed_safe_ports`).
#
# Needs: the Debian packages wordpress, wordpress-theme-twentytwentythree, php-fpm, php-mysql,
# nginx (nginx-light), a MariaDB server on 127.0.0.1:3306 (root, empty password), and for the
# visitor's browser chromium + chromium-driver (`.ci/run` installs them). Writes one file to
# /etc/wordpress (Debian's per-site configuration, removed at the end), uses the database
# parvis_wp_test (dropped and re-created each run).
#
# Usage: scripts/wordpress-embed-test.sh [PARVIS_BIN]     (default: $PARVIS_BIN, else cargo build)
# Exit status: 0 passed, 1 failed, 77 skipped (a notice says what is missing).
# KEEP=1 keeps the work directory and the database for a look afterwards.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
DB=parvis_wp_test
T0=$(date +%s)

log() { printf '[wordpress %3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
skip() { echo "notice: WordPress embed test skipped: $*" >&2; exit 77; }
die() { log "FAILED: $*"; exit 1; }

# ---- what this machine has -------------------------------------------------------------
WP_ROOT=/usr/share/wordpress
[ -f "$WP_ROOT/wp-settings.php" ] || skip "WordPress is not installed (apt-get install wordpress)"
ls "$WP_ROOT"/wp-content/themes/*/style.css >/dev/null 2>&1 \
    || skip "no WordPress theme (apt-get install wordpress-theme-twentytwentythree)"
FPM="$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n1 || true)"
[ -n "$FPM" ] || skip "php-fpm is not installed (apt-get install php-fpm)"
command -v php >/dev/null || skip "the PHP command line is not installed"
php -m 2>/dev/null | grep -qx mysqli || skip "PHP has no mysqli (apt-get install php-mysql)"
NGINX="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || skip "nginx is not installed (apt-get install nginx-light)"
command -v mysql >/dev/null || skip "the MariaDB client is not installed"
mysql -h127.0.0.1 -P3306 -uroot -e 'select 1' >/dev/null 2>&1 \
    || skip "no MariaDB server answers on 127.0.0.1:3306 as root without a password"
command -v python3 >/dev/null || skip "python3 is required"
[ -w /etc/wordpress ] || skip "/etc/wordpress is not writable (run as root)"

PARVIS_BIN="${1:-${PARVIS_BIN:-}}"
if [ -z "$PARVIS_BIN" ]; then
    log "building parvis"
    (cd "$REPO" && cargo build -q -p parvis) || die "cargo build failed"
    PARVIS_BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/parvis"
fi
[ -x "$PARVIS_BIN" ] || die "no parvis binary at $PARVIS_BIN"

# ---- work area and clean-up ------------------------------------------------------------
WORK="$(mktemp -d /tmp/parvis-wp.XXXXXX)"
chmod 755 "$WORK"   # nginx and php-fpm workers run as other users
SITE="parvis-wp-test-$$"
WP_CONF="/etc/wordpress/config-$SITE.php"
PIDS=()
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -f "$WP_CONF"
    if [ "${KEEP:-}" = 1 ]; then
        log "kept $WORK and the database $DB"
    else
        mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
        [ $rc = 0 ] || { log "logs of the failed run:"; tail -n 20 "$WORK"/*.log 2>/dev/null >&2 || true; }
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$1"
}
wait_http() {  # URL WHAT
    local i
    for i in $(seq 1 100); do
        curl -s -o /dev/null --max-time 2 "$1" && return 0
        sleep 0.1
    done
    die "$2 did not answer at $1"
}

PARVIS_PORT=$(free_port 127.0.0.1)
ORG_PORT=$(free_port 127.0.0.1)
WP_PORT=$(free_port 127.0.0.2)
FPM_PORT=$(free_port 127.0.0.1)
PARVIS="http://127.0.0.1:$PARVIS_PORT"
ORG="http://127.0.0.1:$ORG_PORT"
WP="http://127.0.0.2:$WP_PORT"

# ---- Parvis, with its demo space ---------------------------------------------------------
log "starting Parvis at $PARVIS"
"$PARVIS_BIN" demo --database-url "sqlite://$WORK/parvis.db" --port "$PARVIS_PORT" \
    --public-url "$PARVIS" --log warn >"$WORK/parvis.log" 2>&1 &
PIDS+=($!)
wait_http "$PARVIS/healthz" Parvis

# ---- the organisation's site: where the call to action leads ------------------------------
mkdir -p "$WORK/org"
cat >"$WORK/org/inscription.html" <<'EOF'
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Inscription</title></head>
<body><h1 id="org">Inscription au programme partenaires</h1></body></html>
EOF
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/org" "$ORG_PORT" >"$WORK/org.log" 2>&1 &
PIDS+=($!)
wait_http "$ORG/inscription.html" "the organisation's site"

# ---- WordPress: database, configuration, must-use plugin ----------------------------------
mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
mkdir -p "$WORK/wp-content/mu-plugins"
ln -s "$WP_ROOT/wp-content/themes" "$WORK/wp-content/themes"
cat >"$WORK/wp-content/mu-plugins/parvis-loopback.php" <<'EOF'
<?php
/*
 * Test only (scripts/wordpress-embed-test.sh): WordPress refuses to fetch loopback addresses
 * and ports other than 80/443/8080 during oEmbed discovery. Parvis runs on 127.0.0.1 at a
 * random port here, so allow exactly that host, whatever its port.
 */
add_filter('http_request_host_is_external', function ($external, $host) {
    return $external || $host === '127.0.0.1';
}, 10, 2);
add_filter('http_allowed_safe_ports', function ($ports, $host, $url) {
    $port = parse_url($url, PHP_URL_PORT);
    if ($host === '127.0.0.1' && $port) {
        $ports[] = (int) $port;
    }
    return $ports;
}, 10, 3);
EOF
# Debian's wp-config.php reads /etc/wordpress/config-$WORDPRESS_CONFIG.php (nginx passes it).
cat >"$WP_CONF" <<EOF
<?php
/* Written by scripts/wordpress-embed-test.sh for one run; removed when it ends. */
define('DB_NAME', '$DB');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:3306');
define('WP_HOME', '$WP');
define('WP_SITEURL', '$WP');
define('WP_CONTENT_DIR', '$WORK/wp-content');
define('WP_CONTENT_URL', '$WP/wp-content');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
/* No network but loopback: nothing waits on wordpress.org. */
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ACCESSIBLE_HOSTS', '127.0.0.1');
EOF
chmod 644 "$WP_CONF"

# ---- php-fpm and nginx --------------------------------------------------------------------
RUN_AS=""
[ "$(id -u)" = 0 ] && RUN_AS="user = www-data
group = www-data"
cat >"$WORK/fpm.conf" <<EOF
[global]
pid = $WORK/fpm.pid
error_log = $WORK/fpm.log
daemonize = no
[wp]
$RUN_AS
listen = 127.0.0.1:$FPM_PORT
pm = static
pm.max_children = 2
catch_workers_output = yes
php_admin_flag[log_errors] = on
php_admin_value[error_log] = $WORK/php.log
EOF
touch "$WORK/php.log"; chmod 666 "$WORK/php.log"
"$FPM" -F -y "$WORK/fpm.conf" >"$WORK/fpm-out.log" 2>&1 &
PIDS+=($!)

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.2:$WP_PORT;
        root $WP_ROOT;
        index index.php;
        location /wp-content/ { alias $WORK/wp-content/; }
        location / { try_files \$uri \$uri/ /index.php?\$args; }
        location ~ \.php\$ {
            # Debian's fastcgi_params sends HTTP_HOST without the port (\$host), which sends
            # WordPress's canonical redirect round in circles on a non-default port.
            fastcgi_param QUERY_STRING \$query_string;
            fastcgi_param REQUEST_METHOD \$request_method;
            fastcgi_param CONTENT_TYPE \$content_type;
            fastcgi_param CONTENT_LENGTH \$content_length;
            fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_param REQUEST_URI \$request_uri;
            fastcgi_param DOCUMENT_URI \$document_uri;
            fastcgi_param DOCUMENT_ROOT \$document_root;
            fastcgi_param SERVER_PROTOCOL \$server_protocol;
            fastcgi_param GATEWAY_INTERFACE CGI/1.1;
            fastcgi_param REMOTE_ADDR \$remote_addr;
            fastcgi_param SERVER_ADDR \$server_addr;
            fastcgi_param SERVER_PORT \$server_port;
            fastcgi_param SERVER_NAME \$server_name;
            fastcgi_param REDIRECT_STATUS 200;
            fastcgi_param HTTP_HOST \$http_host;
            fastcgi_param WORDPRESS_CONFIG $SITE;
            fastcgi_pass 127.0.0.1:$FPM_PORT;
        }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx.conf" -g 'daemon off;' >"$WORK/nginx-out.log" 2>&1 &
PIDS+=($!)
wait_http "$WP/wp-includes/js/wp-embed.min.js" "nginx"

# ---- WordPress's own install routine, then the post ---------------------------------------
cat >"$WORK/install.php" <<'EOF'
<?php
// Run from the command line: wp_install() as the install page would, then one post whose
// body is only the address given (argv[1]). Prints the post's address.
$_SERVER['HTTP_HOST'] = parse_url(getenv('PARVIS_WP_HOME'), PHP_URL_HOST);
define('WP_INSTALLING', true);
// No mail on this machine: the "your new site" notice is pluggable, so say nothing.
function wp_new_blog_notification() {}
require '/usr/share/wordpress/wp-load.php';
require ABSPATH . 'wp-admin/includes/upgrade.php';
$r = wp_install('Blog du partenaire', 'editor', 'editor@blog.example', true, '', 'parvis-wp-test-2026');
if (is_wp_error($r) || empty($r['user_id'])) { fwrite(STDERR, "wp_install failed\n"); exit(1); }
wp_set_current_user($r['user_id']);
$id = wp_insert_post([
    'post_title'   => 'Nos partenaires en parlent',
    'post_content' => $argv[1],
    'post_status'  => 'publish',
    'post_author'  => $r['user_id'],
], true);
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
echo get_permalink($id), "\n";
EOF

log "preparing the thread, the call to action and the allowed site on Parvis"
THREAD_URL="$(python3 "$HERE/wordpress-embed-check.py" prepare "$PARVIS" "$WP" "$ORG/inscription.html")" \
    || die "could not prepare Parvis"
log "installing WordPress at $WP (database $DB) with a post that is only $THREAD_URL"
POST_URL="$(WORDPRESS_CONFIG="$SITE" PARVIS_WP_HOME="$WP" php "$WORK/install.php" "$THREAD_URL" 2>"$WORK/install.log" | tail -n1)" \
    || die "WordPress's install failed: $(tail -n5 "$WORK/install.log")"
[[ "$POST_URL" == "$WP"/* ]] || die "no post address from the install: $POST_URL $(tail -n5 "$WORK/install.log")"
log "post at $POST_URL"

# HOLD=<seconds> leaves everything running for a look before the checks.
[ -n "${HOLD:-}" ] && { log "holding $HOLD s: $WP, $PARVIS, $WORK"; sleep "$HOLD"; }
python3 "$HERE/wordpress-embed-check.py" check "$PARVIS" "$WP" "$ORG/inscription.html" "$POST_URL" \
    || die "the scenario failed"
log "passed in $(($(date +%s) - T0)) s"
