/*
 * test_common_kallsyms.c: /proc/kallsyms text to a sorted table of text symbols,
 * lookups by address, hidden addresses, and lines that are cut or malformed
 * (kallsyms.c). No root: the text is built here.
 */
#include <errno.h>
#include <stdlib.h>

#include "kallsyms.h"
#include "tap.h"

static void
test_kallsyms(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81f81280 T __pfx_nf_hook_slow\n"
		"ffffffff81f81290 T nf_hook_slow\n"
		"ffffffff81f813b0 T nf_hook_slow_list\n"
		"ffffffff82a00000 D some_data\n"
		"ffffffff81fbd5d0 T nft_do_chain\n"			/* out of order on purpose */
		"ffffffff81fbdbe0 t nft_do_chain_ipv4\n"
		"ffffffffc0123000 t veth_xmit\t[veth]\n"
		"ffffffffc0124000 W weak_one\t[veth]\n"
		"garbage line\n"
		"ffffffffc0125000 t\n";
	struct pp_kallsyms ks;
	uint64_t off = 99;

	CHECK_EQ_INT(pp_kallsyms_load(&ks, text), 0);
	CHECK_EQ_INT(ks.nsyms, 7);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81fbd5d0ull, &off), "nft_do_chain");	/* exact */
	CHECK(off == 0);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81fbd5d0ull + 0x3e8, &off), "nft_do_chain");
	CHECK(off == 0x3e8);
	/* the __pfx_ padding belongs to the symbol before it */
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81f81288ull, &off), "_stext");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81f813b0ull, &off), "nf_hook_slow_list");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffffc0123010ull, &off), "veth_xmit");	/* no [veth] */
	CHECK(off == 0x10);
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff80ffffffull, &off) == NULL);		/* below the first */
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffffc0124100ull, &off), "weak_one");	/* above the last, near */
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffffc0134000ull, &off) == NULL);		/* far above the last */
	CHECK(pp_kallsyms_lookup(&ks, 0, &off) == NULL);
	pp_kallsyms_free(&ks);

	/* kptr_restrict / not root: every address reads 0 */
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "0000000000000000 T _stext\n0000000000000000 t foo\n"), -EACCES);
	CHECK(ks.hidden);
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff81000000ull, &off) == NULL);
	pp_kallsyms_free(&ks);
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "ffffffff82a00000 D some_data\n"), -ENOENT);
	pp_kallsyms_free(&ks);
	CHECK_EQ_INT(pp_kallsyms_load(&ks, ""), -ENOENT);
	pp_kallsyms_free(&ks);
}


/* Lines that are cut, lack a field or carry unexpected ones: skipped, never misread. */
static void
test_kallsyms_lines(void)
{
	static const char text[] =
		"ffffffff81000000 T first\n"
		"ffffffff81000100T glued\n"			/* no blank after the address */
		"ffffffff81000200 T\n"				/* no name */
		"ffffffff81000300  T twoblanks\n"		/* type is a blank */
		"zzzzzzzzzzzzzzzz T nothex\n"
		" T noaddr\n"
		"ffffffff81000400 t withtab\textra words\n"
		"ffffffff81000500 Tx notatype\n"
		"ffffffff81000600 b bss_sym\n"
		"ffffffff81000700 T last_no_newline";
	struct pp_kallsyms ks;
	uint64_t off = 0;

	CHECK_EQ_INT(pp_kallsyms_load(&ks, text), 0);
	CHECK_EQ_INT(ks.nsyms, 3);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81000150ull, &off), "first");
	CHECK(off == 0x150);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81000400ull, &off), "withtab");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81000650ull, &off), "withtab");	/* bss skipped */
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81000700ull, &off), "last_no_newline");
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff80000000ull, NULL) == NULL);
	pp_kallsyms_free(&ks);

	/* one symbol only: lookups at and just past it */
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "ffffffff81000000 T only\n"), 0);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81000000ull, NULL), "only");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff8100ffffull, NULL), "only");
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff81010000ull, NULL) == NULL);
	pp_kallsyms_free(&ks);
	/* nothing but garbage */
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "\n\n\nnot kallsyms at all\n"), -ENOENT);
	pp_kallsyms_free(&ks);
	/* a lookup in a table never loaded (zeroed) finds nothing */
	memset(&ks, 0, sizeof(ks));
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff81000000ull, NULL) == NULL);
}

int
main(void)
{
	RUN(test_kallsyms);
	RUN(test_kallsyms_lines);
	return tap_done();
}
