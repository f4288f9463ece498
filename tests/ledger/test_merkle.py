"""The Merkle log: RFC 6962 test vectors, proofs checked by an independent verifier, tampering.

The reference functions at the top of this file are a second, deliberately different
implementation written from the RFC 6962 recursive definitions (MTH, PATH, SUBPROOF) and a
recursive verifier. They never import the code under test, so a shared misunderstanding
cannot make both sides agree.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.ledgercore.merkle import (
    EMPTY_ROOT,
    InMemoryNodeStore,
    MerkleError,
    MerkleTree,
    StoreCorruptError,
    audit_store,
    leaf_hash,
    root_from_leaf_hashes,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)

# --------------------------------------------------------------------------------------------
# Independent reference (RFC 6962 §2.1, recursive)
# --------------------------------------------------------------------------------------------


def ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    """MTH over leaf *hashes*."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = ref_split(len(leaves))
    return ref_node(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = ref_split(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = ref_split(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    return [] if m in (0, len(leaves)) else ref_subproof(m, leaves, True)


def ref_verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """Recursive verifier: rebuild the root by walking the RFC split from the top."""
    if not 0 <= index < size:
        return False
    remaining = list(proof)

    def climb(i: int, n: int) -> bytes | None:
        if n == 1:
            return leaf
        if not remaining:
            return None
        sibling = remaining.pop()  # the outermost level owns the last element
        k = ref_split(n)
        if i < k:
            inner = climb(i, k)
            return None if inner is None else ref_node(inner, sibling)
        inner = climb(i - k, n - k)
        return None if inner is None else ref_node(sibling, inner)

    computed = climb(index, size)
    return computed is not None and not remaining and computed == root


def ref_verify_consistency(m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """Recursive verifier over SUBPROOF: returns (old subtree hash, new subtree hash) bottom-up."""
    if not 0 <= m <= n:
        return False
    if m == 0 or m == n:
        return not proof and (old_root == new_root if m == n else old_root == hashlib.sha256(b"").digest())
    remaining = list(proof)

    def walk(m_: int, n_: int, complete: bool) -> tuple[bytes, bytes] | None:
        if m_ == n_:
            if complete:
                return old_root, old_root
            if not remaining:
                return None
            h = remaining.pop()
            return h, h
        if not remaining:
            return None
        outer = remaining.pop()
        k = ref_split(n_)
        if m_ <= k:
            inner = walk(m_, k, complete)
            return None if inner is None else (inner[0], ref_node(inner[1], outer))
        inner = walk(m_ - k, n_ - k, False)
        return None if inner is None else (ref_node(outer, inner[0]), ref_node(outer, inner[1]))

    result = walk(m, n, True)
    return result is not None and not remaining and result == (old_root, new_root)


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

# RFC 6962 reference leaves and roots (as published with the Certificate Transparency code and
# reused by transparency-dev/merkle); roots for sizes 0..8.
CT_LEAVES = [bytes.fromhex(h) for h in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
]]
CT_ROOTS = [bytes.fromhex(h) for h in [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]
CT_INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
CT_CONSISTENCY = {
    (2, 8): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}

BIG = 3000  # leaves in the shared tree used by the property tests


def entry(i: int) -> bytes:
    return f'{{"seq":{i},"action":"test"}}'.encode()


def build(n: int) -> tuple[MerkleTree, InMemoryNodeStore]:
    store = InMemoryNodeStore()
    tree = MerkleTree(store)
    tree.append_many(entry(i) for i in range(n))
    return tree, store


_BIG_TREE, _ = build(BIG)
_BIG_LEAVES = [ref_leaf(entry(i)) for i in range(BIG)]
_ROOT_CACHE: dict[int, bytes] = {}


def ref_root(size: int) -> bytes:
    if size not in _ROOT_CACHE:
        _ROOT_CACHE[size] = ref_mth(_BIG_LEAVES[:size])
    return _ROOT_CACHE[size]


# --------------------------------------------------------------------------------------------
# Known vectors
# --------------------------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_nothing():
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == CT_ROOTS[0]
    assert MerkleTree(InMemoryNodeStore()).root() == CT_ROOTS[0]
    assert root_from_leaves([]) == CT_ROOTS[0]


def test_it_reproduces_the_rfc6962_reference_roots_at_every_size():
    tree = MerkleTree(InMemoryNodeStore())
    for data in CT_LEAVES:
        tree.append(data)
    for size, expected in enumerate(CT_ROOTS):
        assert tree.root(size) == expected
        assert root_from_leaves(CT_LEAVES[:size]) == expected
        assert ref_mth([ref_leaf(d) for d in CT_LEAVES[:size]]) == expected  # the reference agrees too


def test_it_reproduces_the_reference_inclusion_and_consistency_proofs():
    tree = MerkleTree(InMemoryNodeStore())
    tree.append_many(CT_LEAVES)
    for (index, size), expected in CT_INCLUSION.items():
        assert [h.hex() for h in tree.inclusion_proof(index, size)] == expected
    for (old, new), expected in CT_CONSISTENCY.items():
        proof = tree.consistency_proof(old, new)
        assert [h.hex() for h in proof] == expected
        assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], proof)
        assert ref_verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], proof)


def test_leaf_and_node_hashes_use_the_domain_separation_prefixes():
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert leaf_hash(b"") == CT_ROOTS[1]


# --------------------------------------------------------------------------------------------
# Exhaustive small trees
# --------------------------------------------------------------------------------------------


def test_every_proof_in_every_tree_up_to_40_leaves_matches_the_rfc_definitions():
    tree, _ = build(40)
    leaves = [ref_leaf(entry(i)) for i in range(40)]
    for size in range(41):
        root = ref_mth(leaves[:size])
        assert tree.root(size) == root
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == ref_path(index, leaves[:size])
            assert ref_verify_inclusion(leaves[index], index, size, proof, root)
            assert verify_inclusion(leaves[index], index, size, proof, root)
        for old in range(size + 1):
            proof = tree.consistency_proof(old, size)
            assert proof == ref_consistency(old, leaves[:size])
            old_root = ref_mth(leaves[:old])
            assert ref_verify_consistency(old, size, old_root, root, proof)
            assert verify_consistency(old, size, old_root, root, proof)


def test_root_after_each_single_append_matches_the_reference():
    tree = MerkleTree(InMemoryNodeStore())
    leaves: list[bytes] = []
    for i in range(70):
        assert tree.append(entry(i)) == i
        leaves.append(ref_leaf(entry(i)))
        assert tree.root() == ref_mth(leaves)
        assert tree.size == i + 1


def test_batched_and_single_appends_store_identical_nodes():
    one_by_one = InMemoryNodeStore()
    t1 = MerkleTree(one_by_one)
    for i in range(100):
        t1.append(entry(i))
    batched = InMemoryNodeStore()
    t2 = MerkleTree(batched)
    t2.append_many(entry(i) for i in range(37))
    t2.append_many(entry(i) for i in range(37, 64))
    t2.append_many(entry(i) for i in range(64, 100))
    keys = [(level, i) for level in range(8) for i in range(100)]
    assert one_by_one.get_nodes(keys) == batched.get_nodes(keys)
    # A second tree object on the same store picks up where the first left off.
    assert MerkleTree(batched).root() == t1.root()


# --------------------------------------------------------------------------------------------
# Property-based: many sizes
# --------------------------------------------------------------------------------------------


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(min_value=1, max_value=BIG))
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@settings(max_examples=150, deadline=None)
@given(index_and_size())
def test_inclusion_proofs_verify_with_the_independent_verifier(case: tuple[int, int]):
    index, size = case
    proof = _BIG_TREE.inclusion_proof(index, size)
    root = ref_root(size)
    assert _BIG_TREE.root(size) == root
    assert ref_verify_inclusion(_BIG_LEAVES[index], index, size, proof, root)
    assert verify_inclusion(_BIG_LEAVES[index], index, size, proof, root)
    # ...and the wrong leaf, the wrong index or the wrong size do not.
    other = (index + 1) % size
    if other != index:
        assert not ref_verify_inclusion(_BIG_LEAVES[other], index, size, proof, root)
        assert not verify_inclusion(_BIG_LEAVES[other], index, size, proof, root)
    if size < len(_BIG_LEAVES):  # ref_root(size + 1) needs one more leaf than a full tree has
        assert not verify_inclusion(_BIG_LEAVES[index], index, size + 1, proof, ref_root(size + 1))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_with_the_independent_verifier(data: st.DataObject):
    new = data.draw(st.integers(min_value=0, max_value=BIG), label="new")
    old = data.draw(st.integers(min_value=0, max_value=new), label="old")
    proof = _BIG_TREE.consistency_proof(old, new)
    assert ref_verify_consistency(old, new, ref_root(old), ref_root(new), proof)
    assert verify_consistency(old, new, ref_root(old), ref_root(new), proof)
    if 0 < old < new:
        # A different old root (a rewritten history) must not pass.
        fake_old = ref_node(ref_root(old), ref_root(old))
        assert not ref_verify_consistency(old, new, fake_old, ref_root(new), proof)
        assert not verify_consistency(old, new, fake_old, ref_root(new), proof)


@settings(max_examples=100, deadline=None)
@given(index_and_size(), st.data())
def test_a_proof_with_any_flipped_bit_is_rejected(case: tuple[int, int], data: st.DataObject):
    index, size = case
    proof = _BIG_TREE.inclusion_proof(index, size)
    if not proof:
        return
    which = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    mangled = list(proof)
    element = bytearray(mangled[which])
    element[bit // 8] ^= 1 << (bit % 8)
    mangled[which] = bytes(element)
    root = ref_root(size)
    assert not ref_verify_inclusion(_BIG_LEAVES[index], index, size, mangled, root)
    assert not verify_inclusion(_BIG_LEAVES[index], index, size, mangled, root)
    assert not verify_inclusion(_BIG_LEAVES[index], index, size, proof[:-1], root)
    assert not verify_inclusion(_BIG_LEAVES[index], index, size, [*proof, proof[0]], root)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_consistency_proof_with_any_flipped_bit_is_rejected(data: st.DataObject):
    new = data.draw(st.integers(min_value=2, max_value=BIG))
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    proof = _BIG_TREE.consistency_proof(old, new)
    which = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    mangled = list(proof)
    element = bytearray(mangled[which])
    element[bit // 8] ^= 1 << (bit % 8)
    mangled[which] = bytes(element)
    assert not ref_verify_consistency(old, new, ref_root(old), ref_root(new), mangled)
    assert not verify_consistency(old, new, ref_root(old), ref_root(new), mangled)
    assert not verify_consistency(old, new, ref_root(old), ref_root(new), proof[:-1])
    assert not verify_consistency(old, new, ref_root(old), ref_root(new), [])


def test_proofs_across_power_of_two_boundaries_in_a_larger_tree():
    n = 70_000
    tree, _ = build(n)
    leaves = [ref_leaf(entry(i)) for i in range(n)]
    for size in (1 << 16, (1 << 16) + 1, (1 << 16) - 1, n):
        root = ref_mth(leaves[:size])
        assert tree.root(size) == root
        for index in (0, size // 2, size - 1, 12345):
            proof = tree.inclusion_proof(index, size)
            assert len(proof) <= 17
            assert ref_verify_inclusion(leaves[index], index, size, proof, root)
        for old in (1, 2, 1000, 1 << 15, size - 1, size):
            proof = tree.consistency_proof(old, size)
            assert ref_verify_consistency(old, size, ref_mth(leaves[:old]), root, proof)


def test_root_from_leaf_hashes_streams_the_same_root():
    assert root_from_leaf_hashes(iter(_BIG_LEAVES)) == ref_root(BIG) == _BIG_TREE.root()


# --------------------------------------------------------------------------------------------
# Tampering and misuse
# --------------------------------------------------------------------------------------------


def test_changing_one_stored_node_is_found_by_the_audit_and_breaks_proofs():
    tree, store = build(100)
    honest_root = tree.root()
    assert audit_store(store, (entry(i) for i in range(100))).ok
    store._levels[2][5] = b"\x11" * 32  # an attacker rewrites the interior node over leaves 20..23
    audit = audit_store(store, (entry(i) for i in range(100)))
    assert not audit.ok
    assert [(m.level, m.index) for m in audit.mismatches] == [(2, 5)]
    assert audit.root == honest_root  # recomputed from the entries, so still the signed one
    # A proof that uses the forged node no longer reaches the honest (signed) root.
    proof = tree.inclusion_proof(17, 100)
    assert not ref_verify_inclusion(ref_leaf(entry(17)), 17, 100, proof, honest_root)
    assert tree.root() == honest_root  # the root uses the level-6/5/2 frontier, not node (2, 5)


def test_changing_one_entry_changes_the_recomputed_root_and_is_localised():
    tree, store = build(100)
    entries = [entry(i) for i in range(100)]
    entries[42] = b'{"seq":42,"action":"edited"}'
    audit = audit_store(store, entries)
    assert audit.root != tree.root()
    assert (0, 42) in {(m.level, m.index) for m in audit.mismatches}
    assert root_from_leaves(entries) != tree.root()


def test_a_deleted_entry_or_an_extra_stored_leaf_is_reported():
    _, store = build(10)
    assert not audit_store(store, (entry(i) for i in range(9))).ok


def test_the_store_refuses_to_overwrite_a_node():
    _, store = build(4)
    with pytest.raises(MerkleError):
        store.put_nodes({(0, 1): b"\x00" * 32})
    store.put_nodes({(0, 1): store.get_nodes([(0, 1)])[(0, 1)]})  # idempotent rewrite is fine


def test_missing_nodes_are_reported_as_corruption():
    store = InMemoryNodeStore()
    tree = MerkleTree(store, size=5)  # claims 5 leaves, stores none
    with pytest.raises(StoreCorruptError):
        tree.root()
    with pytest.raises(StoreCorruptError):
        tree.append(b"x")


def test_impossible_requests_are_refused():
    tree, _ = build(10)
    with pytest.raises(MerkleError):
        tree.inclusion_proof(10, 10)
    with pytest.raises(MerkleError):
        tree.inclusion_proof(0, 11)
    with pytest.raises(MerkleError):
        tree.consistency_proof(5, 4)
    with pytest.raises(MerkleError):
        tree.root(11)


def test_verifiers_reject_malformed_input():
    tree, _ = build(8)
    root = tree.root()
    proof = tree.inclusion_proof(3, 8)
    leaf = ref_leaf(entry(3))
    assert verify_inclusion(leaf, 3, 8, proof, root)
    assert not verify_inclusion(leaf, 8, 8, proof, root)
    assert not verify_inclusion(leaf, -1, 8, proof, root)
    assert not verify_inclusion(leaf[:31], 3, 8, proof, root)
    assert not verify_inclusion(leaf, 3, 8, [proof[0][:31], *proof[1:]], root)
    assert not verify_inclusion(leaf, 3, 8, proof, root[:31])
    old_root = tree.root(5)
    cproof = tree.consistency_proof(5, 8)
    assert verify_consistency(5, 8, old_root, root, cproof)
    assert not verify_consistency(8, 5, root, old_root, cproof)
    assert not verify_consistency(5, 8, old_root, root, [])
    assert verify_consistency(8, 8, root, root, [])
    assert not verify_consistency(8, 8, root, old_root, [])
    assert not verify_consistency(8, 8, root, root, [root])
    assert verify_consistency(0, 8, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 8, root, root, [])
