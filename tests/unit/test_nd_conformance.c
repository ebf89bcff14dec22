/* Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE). */
/* test_nd_conformance.c — nat64d's conformance tier: every case of
 * the case files in tests/conformance (written from RFC 7915, RFC 6146, RFC 6946,
 * RFC 4884, RFC 6791 and RFC 6052 by tests/conformance/gen.py) is run
 * through a gateway on the fake packet device, and every packet that comes
 * out is compared, field by field, with the packets the case expects.
 *
 * A failure names the case and the first differing field ("IPv4 header:
 * flag DF expected 0 got 1"). Cases listed in
 * tests/conformance/expected-failures.list are expected to fail: they are
 * reported as skipped ("xfail"); one of them that passes fails the tier
 * ("XPASS: remove it from the list"), so the list can only shrink.
 * The format and the ignored fields: docs/CONFORMANCE.md.
 *
 * NK_CONFORMANCE_DIR overrides the directory (default tests/conformance,
 * relative to the top of the tree, where tests/run-tests.sh runs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>

#include "nd_testutil.h"

#define MAX_PKT		70000
#define MAX_STEPS	16
#define MAX_BIB		80
#define MAX_FIELDS	256

/* ----------------------------------------------------------- case files */

enum step_kind { ST_SEND, ST_EXPECT, ST_NONE, ST_WAIT };

struct step {
	enum step_kind kind;
	uint8_t *pkt;
	size_t len;
	uint64_t ms;
	int line;
	char what[96];
};

struct tbib {
	uint8_t proto;
	uint8_t v6[16];
	uint16_t port6, port4;
	uint32_t v4;
};

struct tcase {
	char name[80];
	char file[64];
	int line;
	char config[1024];
	bool has_prefix;
	struct tbib bib[MAX_BIB];
	int n_bib;
	char ignore[256];
	struct step step[MAX_STEPS];
	int n_step;
	bool xfail;
	char xreason[200];
	int result;		/* 0 pass, 1 fail, 2 xfail, 3 xpass */
	char fail[4096];	/* repeated in the closing summary */
};

static struct tcase *cases;
static int n_cases, cap_cases;
static char xnames[512][80];
static int n_xnames;
static bool xused[512];
static const char *dir;
static char load_err[512];

static void
load_error(const char *file, int line, const char *msg)
{
	if (load_err[0] == '\0')
		snprintf(load_err, sizeof(load_err), "%s:%d: %s", file, line, msg);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex octets of one line (up to '#') appended to st. */
static int
parse_hex(struct step *st, const char *s)
{
	int hi = -1;

	for (; *s && *s != '#'; s++) {
		int v;

		if (*s == ' ' || *s == '\t' || *s == '\r')
			continue;
		if ((v = hexval(*s)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (st->len == MAX_PKT)
			return -1;
		st->pkt[st->len++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? 0 : -1;
}

static int
parse_bib(struct tbib *b, const char *v)
{
	char proto[8], a6s[64], a4s[32];
	unsigned p6, p4;

	if (sscanf(v, "%7s %63s %u %31s %u", proto, a6s, &p6, a4s, &p4) != 5 ||
	    p6 > 65535 || p4 > 65535)
		return -1;
	if (!strcmp(proto, "udp"))
		b->proto = ND_PROTO_UDP;
	else if (!strcmp(proto, "tcp"))
		b->proto = ND_PROTO_TCP;
	else if (!strcmp(proto, "icmp"))
		b->proto = ND_PROTO_ICMP;
	else
		return -1;
	if (inet_pton(AF_INET6, a6s, b->v6) != 1 || inet_pton(AF_INET, a4s, &b->v4) != 1)
		return -1;
	b->v4 = ntohl(b->v4);
	b->port6 = (uint16_t)p6;
	b->port4 = (uint16_t)p4;
	return 0;
}

static void
load_file(const char *path, const char *base)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	struct tcase *c = NULL;
	struct step *pk = NULL;
	int ln = 0;

	if (!f) {
		load_error(base, 0, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *colon, *v;
		size_t n;

		ln++;
		n = strlen(s);
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		colon = strchr(s, ':');
		/* A directive is "key:" at the start; hex lines hold no ':'
		 * before their comment. */
		if (!colon || (strchr(s, '#') && strchr(s, '#') < colon) ||
		    strspn(s, "abcdefghijklmnopqrstuvwxyz-") != (size_t)(colon - s)) {
			if (!pk) {
				load_error(base, ln, "hex outside a send:/expect: block");
				continue;
			}
			if (parse_hex(pk, s) == -1)
				load_error(base, ln, "bad hex");
			continue;
		}
		*colon = '\0';
		v = colon + 1;
		while (*v == ' ')
			v++;
		pk = NULL;
		if (!strcmp(s, "case")) {
			if (n_cases == cap_cases) {
				cap_cases = cap_cases ? cap_cases * 2 : 256;
				cases = realloc(cases, (size_t)cap_cases * sizeof(*cases));
				if (!cases)
					abort();
			}
			c = &cases[n_cases++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%s", v);
			snprintf(c->file, sizeof(c->file), "%s", base);
			c->line = ln;
			continue;
		}
		if (!c) {
			load_error(base, ln, "directive before the first case:");
			continue;
		}
		if (!strcmp(s, "ref") || !strcmp(s, "says") || !strcmp(s, "rule") || !strcmp(s, "note")) {
			continue;
		} else if (!strcmp(s, "config")) {
			size_t l = strlen(c->config);

			snprintf(c->config + l, sizeof(c->config) - l, "%s\n", v);
			if (!strncmp(v, "prefix ", 7))
				c->has_prefix = true;
		} else if (!strcmp(s, "bib")) {
			if (c->n_bib == MAX_BIB || parse_bib(&c->bib[c->n_bib++], v) == -1)
				load_error(base, ln, "bad bib: line (PROTO V6ADDR PORT V4ADDR PORT)");
		} else if (!strcmp(s, "ignore")) {
			size_t l = strlen(c->ignore);

			snprintf(c->ignore + l, sizeof(c->ignore) - l, " %s ", v);
		} else if (!strcmp(s, "send") || !strcmp(s, "expect") || !strcmp(s, "expect-none") ||
		    !strcmp(s, "wait")) {
			struct step *st;

			if (c->n_step == MAX_STEPS) {
				load_error(base, ln, "too many steps");
				continue;
			}
			st = &c->step[c->n_step++];
			memset(st, 0, sizeof(*st));
			st->line = ln;
			snprintf(st->what, sizeof(st->what), "%s", v);
			if (!strcmp(s, "wait")) {
				st->kind = ST_WAIT;
				st->ms = strtoull(v, NULL, 10);
			} else if (!strcmp(s, "expect-none"))
				st->kind = ST_NONE;
			else {
				st->kind = s[0] == 's' ? ST_SEND : ST_EXPECT;
				if (!(st->pkt = malloc(MAX_PKT)))
					abort();
				pk = st;
			}
		} else if (!strcmp(s, "end")) {
			c = NULL;
		} else
			load_error(base, ln, "unknown directive");
	}
	fclose(f);
}

/* Packets were read into MAX_PKT buffers: keep what they hold. */
static void
shrink_steps(void)
{
	int i, j;

	for (i = 0; i < n_cases; i++)
		for (j = 0; j < cases[i].n_step; j++) {
			struct step *st = &cases[i].step[j];
			uint8_t *p;

			if (st->pkt && (p = realloc(st->pkt, st->len ? st->len : 1)))
				st->pkt = p;
		}
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_all(void)
{
	DIR *d;
	struct dirent *e;
	char *names[64], path[512], line[512];
	int n = 0, i, ln = 0;
	FILE *f;

	dir = getenv("NK_CONFORMANCE_DIR");
	if (!dir)
		dir = "tests/conformance";
	if (!(d = opendir(dir))) {
		load_error(dir, 0, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 64) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".txt"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		load_file(path, names[i]);
		free(names[i]);
	}
	shrink_steps();
	snprintf(path, sizeof(path), "%s/expected-failures.list", dir);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char nm[80];
		int j;

		ln++;
		if (line[0] == '#' || sscanf(line, "%79s", nm) != 1)
			continue;
		if (n_xnames == 512)
			break;
		snprintf(xnames[n_xnames], sizeof(xnames[0]), "%s", nm);
		for (j = 0; j < n_cases; j++)
			if (!strcmp(cases[j].name, nm)) {
				const char *r = line + strlen(nm);

				while (*r == ' ' || *r == '\t')
					r++;
				cases[j].xfail = true;
				snprintf(cases[j].xreason, sizeof(cases[j].xreason), "%s", r);
				cases[j].xreason[strcspn(cases[j].xreason, "\n")] = '\0';
				xused[n_xnames] = true;
			}
		n_xnames++;
	}
	fclose(f);
}

/* --------------------------------------------------------- field decoder */

enum fkind { F_NUM, F_ADDR4, F_ADDR6, F_BYTES, F_CK };
enum ckind { CK_NONE, CK_IP4HDR, CK_PLAIN, CK_PSEUDO6, CK_PSEUDO4 };

struct fld {
	char key[40];
	char name[80];
	size_t bit;
	size_t width;		/* bits */
	enum fkind kind;
	enum ckind ck;
	size_t cov0, cov1;	/* checksum coverage (octets) */
	size_t ipoff;		/* enclosing IP header (pseudo-header) */
	uint8_t nh;
};

struct flist {
	struct fld f[MAX_FIELDS];
	int n;
};

static struct fld *
addf(struct flist *l, const char *pfx, const char *npfx, const char *layer, const char *key,
    const char *name, size_t bit, size_t width, enum fkind kind)
{
	struct fld *f;

	if (l->n == MAX_FIELDS)
		return NULL;
	f = &l->f[l->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s%s", pfx, key);
	snprintf(f->name, sizeof(f->name), "%s%s header: %s", npfx, layer, name);
	f->bit = bit;
	f->width = width;
	f->kind = kind;
	return f;
}

static uint32_t
bits(const uint8_t *p, size_t bit, size_t width)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < width; i++) {
		size_t b = bit + i;

		v = v << 1 | ((p[b / 8] >> (7 - b % 8)) & 1);
	}
	return v;
}

/* Header layouts: key, name, bit offset, width. Checksums (F_CK) get
 * their coverage from the decoder. */
struct fdef {
	const char *key, *name;
	unsigned bit, width;
	enum fkind kind;
};

static const struct fdef ip4_hdr[] = {
	{ "ipv4.version", "version", 0, 4, F_NUM }, { "ipv4.ihl", "IHL", 4, 4, F_NUM },
	{ "ipv4.tos", "TOS", 8, 8, F_NUM }, { "ipv4.length", "total length", 16, 16, F_NUM },
	{ "ipv4.id", "Identification", 32, 16, F_NUM },
	{ "ipv4.flags.reserved", "reserved flag", 48, 1, F_NUM }, { "ipv4.flags.df", "flag DF", 49, 1, F_NUM },
	{ "ipv4.flags.mf", "flag MF", 50, 1, F_NUM }, { "ipv4.offset", "fragment offset", 51, 13, F_NUM },
	{ "ipv4.ttl", "TTL", 64, 8, F_NUM }, { "ipv4.protocol", "protocol", 72, 8, F_NUM },
	{ "ipv4.checksum", "header checksum", 80, 16, F_CK },
	{ "ipv4.src", "source address", 96, 32, F_ADDR4 }, { "ipv4.dst", "destination address", 128, 32, F_ADDR4 },
};
static const struct fdef ip6_hdr[] = {
	{ "ipv6.version", "version", 0, 4, F_NUM }, { "ipv6.tclass", "traffic class", 4, 8, F_NUM },
	{ "ipv6.flow", "flow label", 12, 20, F_NUM }, { "ipv6.plen", "payload length", 32, 16, F_NUM },
	{ "ipv6.nh", "next header", 48, 8, F_NUM }, { "ipv6.hlim", "hop limit", 56, 8, F_NUM },
	{ "ipv6.src", "source address", 64, 128, F_ADDR6 }, { "ipv6.dst", "destination address", 192, 128, F_ADDR6 },
};
static const struct fdef ext_hdr[] = {
	{ "ext.nh", "next header", 0, 8, F_NUM }, { "ext.len", "length", 8, 8, F_NUM },
};
static const struct fdef rt_hdr[] = {
	{ "ext.type", "routing type", 16, 8, F_NUM }, { "ext.segleft", "segments left", 24, 8, F_NUM },
};
static const struct fdef frag_hdr[] = {
	{ "frag.nh", "next header", 0, 8, F_NUM }, { "frag.reserved", "reserved", 8, 8, F_NUM },
	{ "frag.offset", "fragment offset", 16, 13, F_NUM }, { "frag.res", "reserved bits", 29, 2, F_NUM },
	{ "frag.m", "M flag", 31, 1, F_NUM }, { "frag.id", "Identification", 32, 32, F_NUM },
};
static const struct fdef udp_hdr[] = {
	{ "udp.sport", "source port", 0, 16, F_NUM }, { "udp.dport", "destination port", 16, 16, F_NUM },
	{ "udp.length", "length", 32, 16, F_NUM }, { "udp.checksum", "checksum", 48, 16, F_CK },
};
static const struct fdef tcp_hdr[] = {
	{ "tcp.sport", "source port", 0, 16, F_NUM }, { "tcp.dport", "destination port", 16, 16, F_NUM },
	{ "tcp.seq", "sequence number", 32, 32, F_NUM }, { "tcp.ack", "acknowledgment number", 64, 32, F_NUM },
	{ "tcp.doff", "data offset", 96, 4, F_NUM }, { "tcp.reserved", "reserved", 100, 4, F_NUM },
	{ "tcp.flags", "flags", 104, 8, F_NUM }, { "tcp.window", "window", 112, 16, F_NUM },
	{ "tcp.checksum", "checksum", 128, 16, F_CK }, { "tcp.urgent", "urgent pointer", 144, 16, F_NUM },
};
static const struct fdef icmp_hdr[] = {
	{ "icmp.type", "type", 0, 8, F_NUM }, { "icmp.code", "code", 8, 8, F_NUM },
	{ "icmp.checksum", "checksum", 16, 16, F_CK },
};
static const struct fdef icmp_echo[] = {
	{ "icmp.id", "identifier", 32, 16, F_NUM }, { "icmp.seq", "sequence number", 48, 16, F_NUM },
};
static const struct fdef icmp4_unreach[] = {	/* RFC 792, RFC 1191, RFC 4884 */
	{ "icmp.unused", "unused", 32, 8, F_NUM }, { "icmp.length", "length (RFC 4884)", 40, 8, F_NUM },
	{ "icmp.mtu", "next-hop MTU", 48, 16, F_NUM },
};
static const struct fdef icmp4_timex[] = {
	{ "icmp.unused", "unused", 32, 8, F_NUM }, { "icmp.length", "length (RFC 4884)", 40, 8, F_NUM },
	{ "icmp.unused2", "unused", 48, 16, F_NUM },
};
static const struct fdef icmp4_param[] = {
	{ "icmp.pointer", "pointer", 32, 8, F_NUM }, { "icmp.length", "length (RFC 4884)", 40, 8, F_NUM },
	{ "icmp.unused2", "unused", 48, 16, F_NUM },
};
static const struct fdef icmp6_err[] = {	/* RFC 4443, RFC 4884 */
	{ "icmp.length", "length (RFC 4884)", 32, 8, F_NUM }, { "icmp.unused", "unused", 40, 24, F_NUM },
};
static const struct fdef icmp6_ptb[] = { { "icmp.mtu", "MTU", 32, 32, F_NUM } };
static const struct fdef icmp6_param[] = { { "icmp.pointer", "pointer", 32, 32, F_NUM } };
static const struct fdef icmp_rest[] = { { "icmp.rest", "rest of header", 32, 32, F_NUM } };
static const struct fdef ext4884_hdr[] = {	/* RFC 4884 §7 */
	{ "ext4884.version", "version", 0, 4, F_NUM }, { "ext4884.reserved", "reserved", 4, 12, F_NUM },
	{ "ext4884.checksum", "checksum", 16, 16, F_CK },
};

#define NFD(t) (sizeof(t) / sizeof((t)[0]))

/* Add a header's fields at octet off; returns its checksum field, if any. */
static struct fld *
addt(struct flist *l, const char *pfx, const char *npfx, const char *layer, const struct fdef *t, size_t n,
    size_t off)
{
	struct fld *ck = NULL, *f;
	size_t i;

	for (i = 0; i < n; i++)
		if ((f = addf(l, pfx, npfx, layer, t[i].key, t[i].name, off * 8 + t[i].bit, t[i].width,
		    t[i].kind)) && t[i].kind == F_CK)
			ck = f;
	return ck;
}

static void
set_ck(struct fld *f, enum ckind k, size_t cov0, size_t cov1, size_t ipoff, uint8_t nh)
{
	if (!f)
		return;
	f->ck = k;
	f->cov0 = cov0;
	f->cov1 = cov1;
	f->ipoff = ipoff;
	f->nh = nh;
}

static void dec_l4(struct flist *l, const uint8_t *p, size_t off, size_t end, uint8_t proto, size_t ipoff,
    bool v6, const char *pfx, const char *npfx, int depth);

static void
dec_bytes(struct flist *l, const char *pfx, const char *npfx, const char *layer, const char *key,
    const char *name, size_t off, size_t end)
{
	if (end > off)
		addf(l, pfx, npfx, layer, key, name, off * 8, (end - off) * 8, F_BYTES);
}

/* An IP packet at p[off..end) (end: octets present). */
static void
dec_ip(struct flist *l, const uint8_t *p, size_t off, size_t end, const char *pfx, const char *npfx,
    int depth)
{
	size_t b = off * 8;

	if (end < off + 1)
		return;
	if ((p[off] >> 4) == 4) {
		size_t ihl = (size_t)(p[off] & 15) * 4, total, dend;
		uint16_t fo;

		set_ck(addt(l, pfx, npfx, "IPv4", ip4_hdr, NFD(ip4_hdr), off), CK_IP4HDR, off, off + ihl, 0, 0);
		if (end < off + 20 || ihl < 20)
			return;
		dec_bytes(l, pfx, npfx, "IPv4", "ipv4.options", "options", off + 20, off + ihl < end ? off + ihl : end);
		total = t_get16(p + off + 2);
		dend = off + total < end ? off + total : end;
		fo = t_get16(p + off + 6) & 0x1fff;
		if (fo)
			dec_bytes(l, pfx, npfx, "IPv4", "payload", "fragment payload", off + ihl, dend);
		else
			dec_l4(l, p, off + ihl, dend, p[off + 9], off, false, pfx, npfx, depth);
		if (depth > 0 && end > off + total)
			dec_bytes(l, pfx, npfx, "ICMP", "padding", "RFC 4884 padding", off + total, end);
		return;
	}
	if ((p[off] >> 4) == 6) {
		size_t plen, dend, o = off + 40;
		uint8_t nh;
		int guard;

		addt(l, pfx, npfx, "IPv6", ip6_hdr, NFD(ip6_hdr), off);
		if (end < off + 40)
			return;
		plen = t_get16(p + off + 4);
		dend = off + 40 + plen < end ? off + 40 + plen : end;
		nh = p[off + 6];
		for (guard = 0; guard < 8 && o + 8 <= dend; guard++) {

			if (nh == 0 || nh == 60 || nh == 43) {
				const char *ly = nh == 0 ? "Hop-by-Hop" : nh == 60 ? "Destination Options" : "Routing";
				size_t hl = ((size_t)p[o + 1] + 1) * 8;

				addt(l, pfx, npfx, ly, ext_hdr, NFD(ext_hdr), o);
				if (nh == 43) {
					addt(l, pfx, npfx, ly, rt_hdr, NFD(rt_hdr), o);
					dec_bytes(l, pfx, npfx, ly, "ext.data", "data", o + 4, o + hl < dend ? o + hl : dend);
				} else
					dec_bytes(l, pfx, npfx, ly, "ext.data", "options", o + 2, o + hl < dend ? o + hl : dend);
				nh = p[o];
				o += hl;
				continue;
			}
			if (nh == 44) {
				addt(l, pfx, npfx, "Fragment", frag_hdr, NFD(frag_hdr), o);
				nh = p[o];
				if (bits(p, o * 8 + 16, 13)) {
					dec_bytes(l, pfx, npfx, "Fragment", "payload", "fragment payload", o + 8, dend);
					return;
				}
				o += 8;
				continue;
			}
			break;
		}
		dec_l4(l, p, o, dend, nh, off, true, pfx, npfx, depth);
		if (depth > 0 && end > off + 40 + plen)
			dec_bytes(l, pfx, npfx, "ICMPv6", "padding", "RFC 4884 padding", off + 40 + plen, end);
		return;
	}
	addf(l, pfx, npfx, "IP", "ip.version", "version", b, 4, F_NUM);
}

static bool
icmp_is_error(bool v6, uint8_t t)
{
	return v6 ? t < 128 : (t == 3 || t == 4 || t == 5 || t == 11 || t == 12);
}

static void
dec_l4(struct flist *l, const uint8_t *p, size_t off, size_t end, uint8_t proto, size_t ipoff, bool v6,
    const char *pfx, const char *npfx, int depth)
{
	bool inner = depth > 0;

	if (end <= off)
		return;
	if (proto == ND_PROTO_UDP) {
		set_ck(addt(l, pfx, npfx, "UDP", udp_hdr, NFD(udp_hdr), off), inner ? CK_NONE : v6 ? CK_PSEUDO6 :
		    CK_PSEUDO4, off, end, ipoff, proto);
		dec_bytes(l, pfx, npfx, "UDP", "payload", "payload", off + 8, end);
	} else if (proto == ND_PROTO_TCP) {
		size_t doff = end > off + 12 ? (size_t)(p[off + 12] >> 4) * 4 : 20;

		set_ck(addt(l, pfx, npfx, "TCP", tcp_hdr, NFD(tcp_hdr), off), inner ? CK_NONE : v6 ? CK_PSEUDO6 :
		    CK_PSEUDO4, off, end, ipoff, proto);
		if (doff >= 20) {
			dec_bytes(l, pfx, npfx, "TCP", "tcp.options", "options", off + 20, off + doff < end ? off + doff : end);
			dec_bytes(l, pfx, npfx, "TCP", "payload", "payload", off + doff, end);
		}
	} else if ((proto == ND_PROTO_ICMP && !v6) || (proto == ND_PROTO_ICMP6 && v6)) {
		const char *ly = v6 ? "ICMPv6" : "ICMP";
		uint8_t t = p[off];
		size_t ilen = 0, iend, lenoff = 0;
		char ipfx[32], inpfx[32];

		set_ck(addt(l, pfx, npfx, ly, icmp_hdr, NFD(icmp_hdr), off), inner ? CK_NONE : v6 ? CK_PSEUDO6 :
		    CK_PLAIN, off, end, ipoff, proto);
		if ((!v6 && (t == 0 || t == 8 || (t >= 13 && t <= 18))) || (v6 && (t == 128 || t == 129)))
			addt(l, pfx, npfx, ly, icmp_echo, NFD(icmp_echo), off);
		else if (!v6 && (t == 3 || t == 11 || t == 12)) {
			if (t == 3)
				addt(l, pfx, npfx, ly, icmp4_unreach, NFD(icmp4_unreach), off);
			else if (t == 11)
				addt(l, pfx, npfx, ly, icmp4_timex, NFD(icmp4_timex), off);
			else
				addt(l, pfx, npfx, ly, icmp4_param, NFD(icmp4_param), off);
			lenoff = off + 5;
		} else if (v6 && (t == 1 || t == 3)) {
			addt(l, pfx, npfx, ly, icmp6_err, NFD(icmp6_err), off);
			lenoff = off + 4;
		} else if (v6 && t == 2)
			addt(l, pfx, npfx, ly, icmp6_ptb, NFD(icmp6_ptb), off);
		else if (v6 && t == 4)
			addt(l, pfx, npfx, ly, icmp6_param, NFD(icmp6_param), off);
		else
			addt(l, pfx, npfx, ly, icmp_rest, NFD(icmp_rest), off);
		if (end <= off + 8)
			return;
		if (!icmp_is_error(v6, t) || depth > 0) {
			dec_bytes(l, pfx, npfx, ly, "payload", "data", off + 8, end);
			return;
		}
		if (lenoff && lenoff < end)
			ilen = (size_t)p[lenoff] * (v6 ? 8 : 4);
		iend = ilen && off + 8 + ilen < end ? off + 8 + ilen : end;
		snprintf(ipfx, sizeof(ipfx), "%sinner.", pfx);
		snprintf(inpfx, sizeof(inpfx), "%sinner ", npfx);
		dec_ip(l, p, off + 8, iend, ipfx, inpfx, depth + 1);
		if (iend < end) {
			set_ck(addt(l, pfx, npfx, "RFC 4884 extension", ext4884_hdr, NFD(ext4884_hdr), iend), CK_PLAIN,
			    iend, end, 0, 0);
			dec_bytes(l, pfx, npfx, "RFC 4884 extension", "ext4884.objects", "objects", iend + 4, end);
		}
	} else
		dec_bytes(l, pfx, npfx, "upper-layer", "payload", "payload", off, end);
}

static void
decode(struct flist *l, const uint8_t *p, size_t len)
{
	l->n = 0;
	dec_ip(l, p, 0, len, "", "", 0);
}

/* ---------------------------------------------------------- comparison */

static bool
ignored(const struct tcase *c, const char *key)
{
	char k[48];

	snprintf(k, sizeof(k), " %s ", key);
	return strstr(c->ignore, k) != NULL;
}

static bool
cov_has_ignored(const struct tcase *c, const struct flist *l, const struct fld *ck)
{
	int i;

	for (i = 0; i < l->n; i++) {
		const struct fld *f = &l->f[i];
		size_t o0 = f->bit / 8, o1 = (f->bit + f->width + 7) / 8;

		if (f != ck && ignored(c, f->key) && o0 < ck->cov1 && o1 > ck->cov0)
			return true;
	}
	return false;
}

static bool
ck_valid(const struct fld *f, const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t n;

	if (f->cov1 > len || f->cov0 >= f->cov1)
		return false;
	n = f->cov1 - f->cov0;
	switch (f->ck) {
	case CK_IP4HDR:
	case CK_PLAIN:
		break;
	case CK_PSEUDO6:
		s = t_sum(0, p + f->ipoff + 8, 32) + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + f->nh;
		break;
	case CK_PSEUDO4:
		s = t_sum(0, p + f->ipoff + 12, 8) + (uint32_t)n + f->nh;
		break;
	case CK_NONE:
		return true;
	}
	return t_fold(t_sum(s, p + f->cov0, n)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void
fmt_val(const struct fld *f, const uint8_t *p, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	switch (f->kind) {
	case F_ADDR4:
		inet_ntop(AF_INET, p + f->bit / 8, a, sizeof(a));
		snprintf(out, n, "%s", a);
		break;
	case F_ADDR6:
		inet_ntop(AF_INET6, p + f->bit / 8, a, sizeof(a));
		snprintf(out, n, "%s", a);
		break;
	default:
		if (f->width >= 16 || ends_with(f->key, ".tos") || ends_with(f->key, ".tclass") ||
		    ends_with(f->key, "tcp.flags"))
			snprintf(out, n, "0x%x", bits(p, f->bit, f->width));
		else
			snprintf(out, n, "%u", bits(p, f->bit, f->width));
	}
}

static void summary(const uint8_t *p, size_t len, char *out, size_t n);

/* Append one difference to msg; with all (NK_CONFORMANCE_ALL=1) every
 * difference is listed, else only the first. */
static void
diff(char *msg, size_t mlen, int *n, const char *fmt, ...)
{
	size_t l = strlen(msg);
	va_list ap;

	if (*n > 0 && l + 3 < mlen) {
		memcpy(msg + l, "; ", 3);
		l += 2;
	}
	va_start(ap, fmt);
	vsnprintf(msg + l, mlen - l, fmt, ap);
	va_end(ap);
	(*n)++;
}

/* 0 if got matches want; else -1 with the first differing field in msg. */
static int
compare(const struct tcase *c, const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen,
    char *msg, size_t mlen)
{
	static struct flist l;
	const char *e = getenv("NK_CONFORMANCE_ALL");
	bool all = e && *e == '1';
	int i, n = 0;

	msg[0] = '\0';
	decode(&l, want, wlen);
	for (i = 0; i < l.n && (all || n == 0); i++) {
		const struct fld *f = &l.f[i];
		size_t need = (f->bit + f->width + 7) / 8;

		if (ignored(c, f->key) || need > wlen)
			continue;
		if (need > glen) {
			diff(msg, mlen, &n, "%s: missing, the packet ends at %zu octets (expected %zu)", f->name, glen,
			    wlen);
			break;
		}
		if (f->kind == F_CK && cov_has_ignored(c, &l, f)) {
			if (!ck_valid(f, got, glen))
				diff(msg, mlen, &n, "%s: not valid (checked for validity only: it covers an ignored "
				    "field)", f->name);
			continue;
		}
		if (f->kind == F_BYTES) {
			size_t o = f->bit / 8, k;

			for (k = 0; k < f->width / 8; k++)
				if (want[o + k] != got[o + k]) {
					diff(msg, mlen, &n, "%s: octet %zu expected 0x%02x got 0x%02x", f->name, k,
					    want[o + k], got[o + k]);
					break;
				}
			continue;
		}
		if (memcmp(want + f->bit / 8, got + f->bit / 8, need - f->bit / 8) != 0 &&
		    (f->kind == F_ADDR4 || f->kind == F_ADDR6 || bits(want, f->bit, f->width) !=
		    bits(got, f->bit, f->width))) {
			char a[64], b[64];

			fmt_val(f, want, a, sizeof(a));
			fmt_val(f, got, b, sizeof(b));
			diff(msg, mlen, &n, "%s expected %s got %s", f->name, a, b);
			if (ends_with(f->key, ".version")) {
				char sm[160];

				/* Another kind of packet: its fields mean nothing here. */
				summary(got + f->bit / 8, glen - f->bit / 8, sm, sizeof(sm));
				diff(msg, mlen, &n, "what came out: %s", sm);
				break;
			}
		}
	}
	if (wlen != glen && (all || n == 0))
		diff(msg, mlen, &n, "packet length: expected %zu octets got %zu", wlen, glen);
	return n ? -1 : 0;
}

static void
summary(const uint8_t *p, size_t len, char *out, size_t n)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (len >= 20 && (p[0] >> 4) == 4) {
		inet_ntop(AF_INET, p + 12, s, sizeof(s));
		inet_ntop(AF_INET, p + 16, d, sizeof(d));
		snprintf(out, n, "IPv4 %s -> %s protocol %u, %zu octets", s, d, p[9], len);
		if (p[9] == 1 && len >= 22) {
			size_t l = strlen(out);

			snprintf(out + l, n - l, " (ICMP type %u code %u)", p[20], p[21]);
		}
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		inet_ntop(AF_INET6, p + 8, s, sizeof(s));
		inet_ntop(AF_INET6, p + 24, d, sizeof(d));
		snprintf(out, n, "IPv6 %s -> %s next header %u, %zu octets", s, d, p[6], len);
		if (p[6] == 58 && len >= 42) {
			size_t l = strlen(out);

			snprintf(out + l, n - l, " (ICMPv6 type %u code %u)", p[40], p[41]);
		}
	} else
		snprintf(out, n, "%zu octets", len);
}

/* ------------------------------------------------------------- running */

#define MAX_OUT 16

struct outq {
	uint8_t *pkt[MAX_OUT];
	size_t len[MAX_OUT];
	int n, next;
};

/* Everything the gateway wrote. On a device with a virtio_net_hdr the
 * header is taken off; it must be all zero (no offload asked for, none
 * given: the packets sent carry complete checksums). */
static int
collect(struct t_gw *t, struct outq *q, char *msg, size_t mlen)
{
	static uint8_t buf[MAX_PKT];
	size_t vl = t->dev.vnet ? sizeof(struct virtio_net_hdr) : 0;
	ssize_t m;
	int rc = 0;

	q->n = q->next = 0;
	while ((m = t_recv(t, buf, sizeof(buf))) > 0) {
		static const uint8_t zero[sizeof(struct virtio_net_hdr)];

		if (q->n == MAX_OUT || (size_t)m < vl)
			continue;
		if (vl && memcmp(buf, zero, vl) != 0 && rc == 0) {
			snprintf(msg, mlen, "virtio_net_hdr of packet %d: flags 0x%x gso_type 0x%x, expected all zero",
			    q->n + 1, buf[0], buf[1]);
			rc = -1;
		}
		q->pkt[q->n] = malloc((size_t)m - vl + 1);
		if (!q->pkt[q->n])
			abort();
		memcpy(q->pkt[q->n], buf + vl, (size_t)m - vl);
		q->len[q->n++] = (size_t)m - vl;
	}
	return rc;
}

static void
outq_free(struct outq *q)
{
	int i;

	for (i = 0; i < q->n; i++)
		free(q->pkt[i]);
	q->n = q->next = 0;
}

/* Leftover output of the previous step is an error. */
static int
check_drained(const struct tcase *c, struct outq *q, const struct step *after, char *msg, size_t mlen)
{
	char s[160];

	if (q->next >= q->n)
		return 0;
	summary(q->pkt[q->next], q->len[q->next], s, sizeof(s));
	snprintf(msg, mlen, "%s:%d: after \"%s\": an unexpected packet came out: %s", c->file, after->line,
	    after->what, s);
	return -1;
}

/* vnet: the device carries a virtio_net_hdr, and UDP trains are on, as
 * nat64d runs with `offload yes` (main.c). */
static int
run_case_on(struct tcase *c, bool vnet, char *msg, size_t mlen)
{
	struct t_gw t;
	char text[2048], err[256];
	struct outq q = { .n = 0 };
	const struct step *last = NULL;
	int i, rc = 0;

	nd_config_defaults(&t.cfg);
	snprintf(text, sizeof(text), "pool4 198.51.100.1\nipv4-addr 203.0.113.1\nport-range 2000-2063\n%s%s",
	    c->has_prefix ? "" : "prefix 64:ff9b::/96\n", c->config);
	if (nd_config_parse_text("case", text, strlen(text), &t.cfg, err, sizeof(err)) == -1 ||
	    nd_config_check(&t.cfg, NULL, err, sizeof(err)) == -1) {
		snprintf(msg, mlen, "configuration refused: %s", err);
		return -1;
	}
	if (nd_fake_open(&t.dev, vnet, &t.peer) == -1) {
		snprintf(msg, mlen, "fake device: %s", strerror(errno));
		return -1;
	}
	t.gw = nd_gw_new(&t.cfg, &t.dev);
	t.gw->ipid = 0x1234;
	t.now = clk_fake(1000000, 1700000000);
	for (i = 0; i < c->n_bib; i++) {
		const struct tbib *b = &c->bib[i];

		if (!nd_bib_insert(&t.gw->st, b->proto, b->v6, b->port6, b->v4, b->port4, ND_OWN_LOCAL,
		    &t.now)) {
			snprintf(msg, mlen, "bib: entry %d refused", i + 1);
			rc = -1;
			goto out;
		}
	}
	for (i = 0; i < c->n_step && rc == 0; i++) {
		struct step *st = &c->step[i];
		uint8_t *copy;

		switch (st->kind) {
		case ST_SEND:
		case ST_WAIT:
			if (last && (rc = check_drained(c, &q, last, msg, mlen)) != 0)
				break;
			outq_free(&q);
			if (st->kind == ST_SEND) {
				struct virtio_net_hdr vh;

				memset(&vh, 0, sizeof(vh));
				if (!(copy = malloc(st->len + 1)))
					abort();
				memcpy(copy, st->pkt, st->len);
				nd_gw_input(t.gw, copy, st->len, vnet ? &vh : NULL, &t.now);
				free(copy);
			} else {
				t.now.mono_ms += st->ms;
				t.now.mono_us += st->ms * 1000;
				t.now.wall.tv_sec += (time_t)(st->ms / 1000);
				nd_gw_expire(t.gw, &t.now);
			}
			nd_gw_flush(t.gw);
			rc = collect(&t, &q, msg, mlen);
			last = st;
			break;
		case ST_NONE:
			rc = check_drained(c, &q, last, msg, mlen);
			break;
		case ST_EXPECT: {
			char m[2048];

			if (q.next >= q.n) {
				snprintf(msg, mlen, "%s:%d: expected \"%s\", nothing came out", c->file, st->line,
				    st->what);
				rc = -1;
				break;
			}
			if (compare(c, st->pkt, st->len, q.pkt[q.next], q.len[q.next], m, sizeof(m)) != 0) {
				snprintf(msg, mlen, "%s:%d: \"%s\": %s", c->file, st->line, st->what, m);
				rc = -1;
				break;
			}
			q.next++;
			break;
		}
		}
	}
	if (rc == 0 && last)
		rc = check_drained(c, &q, last, msg, mlen);
out:
	outq_free(&q);
	t_gw_close(&t);
	return rc;
}

/* Both devices nat64d runs on: plain, and with offload metadata. */
static int
run_case(struct tcase *c, char *msg, size_t mlen)
{
	size_t l;

	if (run_case_on(c, false, msg, mlen) != 0)
		return -1;
	if (run_case_on(c, true, msg, mlen) == 0)
		return 0;
	l = strlen(msg);
	snprintf(msg + l, mlen - l, " (on the device with a virtio_net_hdr)");
	return -1;
}

static void
test_case(void **state)
{
	struct tcase *c = *state;
	char msg[4096];
	int rc = run_case(c, msg, sizeof(msg));

	if (c->xfail) {
		if (rc != 0) {
			c->result = 2;
			printf("xfail %s (%s): %s\n", c->name, c->xreason, msg);
			skip();
		}
		c->result = 3;
		snprintf(c->fail, sizeof(c->fail), "XPASS: it passes now, remove it from the list");
		fail_msg("XPASS %s: it passes now, remove it from tests/conformance/expected-failures.list",
		    c->name);
	}
	if (rc != 0) {
		c->result = 1;
		snprintf(c->fail, sizeof(c->fail), "%s", msg);
		fail_msg("%s: %s", c->name, msg);
	}
	c->result = 0;
}

static void
test_files(void **state)
{
	int i;

	(void)state;
	if (load_err[0])
		fail_msg("case files: %s", load_err);
	if (n_cases == 0)
		fail_msg("no cases found in %s", dir);
	for (i = 0; i < n_xnames; i++)
		if (!xused[i])
			fail_msg("expected-failures.list names %s, which is no case", xnames[i]);
}

/* A deliberately wrong expected octet must fail, with the field named. */
static void
test_runner_detects(void **state)
{
	struct tcase *c = NULL;
	char msg[1024];
	int i, j;

	(void)state;
	for (i = 0; i < n_cases && !c; i++)
		if (!strcmp(cases[i].name, "hdr64-udp"))
			c = &cases[i];
	if (!c)
		skip();
	for (j = 0; j < c->n_step && c->step[j].kind != ST_EXPECT; j++)
		;
	assert_true(j < c->n_step);
	c->step[j].pkt[8] ^= 1;			/* the TTL of the translated packet */
	assert_int_equal(run_case(c, msg, sizeof(msg)), -1);
	c->step[j].pkt[8] ^= 1;
	assert_non_null(strstr(msg, "IPv4 header: TTL expected 62 got 63"));
	c->step[j].pkt[6] ^= 0x40;		/* DF */
	assert_int_equal(run_case(c, msg, sizeof(msg)), -1);
	c->step[j].pkt[6] ^= 0x40;
	assert_non_null(strstr(msg, "IPv4 header: flag DF expected 1 got 0"));
	assert_int_equal(run_case(c, msg, sizeof(msg)), 0);
}

/* No octet of an expected packet goes uncompared: every octet outside the
 * fields a case ignores, changed, must make the comparison fail. */
static void
test_every_octet_compared(void **state)
{
	static struct flist l;
	static uint8_t got[MAX_PKT];
	static bool skip_o[MAX_PKT];
	char msg[1024];
	int i, j, gaps = 0;

	(void)state;
	for (i = 0; i < n_cases; i++) {
		const struct tcase *c = &cases[i];

		for (j = 0; j < c->n_step; j++) {
			const struct step *st = &c->step[j];
			size_t k;
			int f;

			if (st->kind != ST_EXPECT)
				continue;
			memset(skip_o, 0, st->len);
			decode(&l, st->pkt, st->len);
			for (f = 0; f < l.n; f++)
				if (ignored(c, l.f[f].key))
					for (k = l.f[f].bit / 8; k < (l.f[f].bit + l.f[f].width + 7) / 8 && k < st->len; k++)
						skip_o[k] = true;
			for (k = 0; k < st->len; k++) {
				if (skip_o[k])
					continue;
				memcpy(got, st->pkt, st->len);
				got[k] ^= 0xff;
				if (compare(c, st->pkt, st->len, got, st->len, msg, sizeof(msg)) == 0) {
					if (gaps++ < 10)
						printf("uncompared: %s:%d octet %zu\n", c->file, st->line, k);
				}
			}
		}
	}
	if (gaps)
		fail_msg("%d octets of expected packets are not compared", gaps);
}

int
main(void)
{
	struct CMUnitTest *tests;
	int i, rc, per[4] = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);	/* interleave with cmocka's stderr */
	load_all();
	tests = calloc((size_t)n_cases + 3, sizeof(*tests));
	if (!tests)
		abort();
	tests[0] = (struct CMUnitTest)cmocka_unit_test(test_files);
	tests[1] = (struct CMUnitTest)cmocka_unit_test(test_runner_detects);
	tests[2] = (struct CMUnitTest)cmocka_unit_test(test_every_octet_compared);
	for (i = 0; i < n_cases; i++) {
		tests[i + 3].name = cases[i].name;
		tests[i + 3].test_func = test_case;
		tests[i + 3].initial_state = &cases[i];
	}
	rc = _cmocka_run_group_tests("nd_conformance", tests, (size_t)n_cases + 3, NULL, NULL);
	for (i = 0; i < n_cases; i++) {
		per[cases[i].result]++;
		if (cases[i].result == 1 || cases[i].result == 3)
			fprintf(stderr, "conformance: FAILED %s: %s\n", cases[i].name, cases[i].fail);
	}
	for (i = 0; i < n_cases; i++) {
		int j, k[4] = { 0 };

		if (i > 0 && !strcmp(cases[i].file, cases[i - 1].file))
			continue;
		for (j = i; j < n_cases && !strcmp(cases[j].file, cases[i].file); j++)
			k[cases[j].result]++;
		fprintf(stderr, "conformance: %-32s %3d cases: %3d pass, %2d xfail, %d fail, %d xpass\n",
		    cases[i].file, j - i, k[0], k[2], k[1], k[3]);
	}
	fprintf(stderr, "conformance: %d cases: %d pass, %d xfail, %d fail, %d xpass\n", n_cases, per[0], per[2], per[1],
	    per[3]);
	for (i = 0; i < n_cases; i++) {
		int j;

		for (j = 0; j < cases[i].n_step; j++)
			free(cases[i].step[j].pkt);
	}
	free(cases);
	free(tests);
	return rc;
}
