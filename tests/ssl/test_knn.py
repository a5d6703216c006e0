import torch

from papernotes.ssl.evaluation.knn import knn_predict, knn_top1


def test_knn_matches_naive_weighted_vote():
    g = torch.Generator().manual_seed(0)
    bank, labels = torch.randn(50, 8, generator=g), torch.randint(0, 4, (50,), generator=g)
    query = torch.randn(7, 8, generator=g)
    scores = knn_predict(bank, labels, query, 4, k=5, temperature=0.1, chunk=3)
    bn = bank / bank.norm(dim=1, keepdim=True)
    for i in range(7):
        q = query[i] / query[i].norm()
        sims = [(float(bn[j] @ q), j) for j in range(50)]
        top = sorted(sims, reverse=True)[:5]
        ref = torch.zeros(4)
        for s, j in top:
            ref[labels[j]] += torch.exp(torch.tensor(s / 0.1))
        assert torch.allclose(scores[i], ref, rtol=1e-4)


def test_k_capped_at_train_size_and_perfect_on_separable():
    bank = torch.eye(3).repeat(2, 1)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    assert knn_top1(bank, labels, torch.eye(3) + 0.01, torch.tensor([0, 1, 2]), 3, k=200) == 100.0
    assert knn_top1(bank, labels, torch.eye(3), torch.tensor([1, 2, 0]), 3, k=2) == 0.0
