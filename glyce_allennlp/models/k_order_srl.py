"""Dependency-based SRL with k-order argument pruning (He, Li, Zhao and Bai 2018), as an AllenNLP model.

Pair it with the ``conll2009_srl`` reader (one instance per predicate; the reader's ``pruning_k`` makes the candidate
mask). Wrap it in ``glyce_aux_loss`` (``aux_loss_reduction: "mean"``: the loss here is a mean) when the text field
embedder contains a ``glyce_word`` embedder.
"""
import logging
from typing import Any, Dict, List, Optional

import torch
import torch.nn.functional as F
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.data.vocabulary import DEFAULT_OOV_TOKEN, DEFAULT_PADDING_TOKEN
from allennlp.models.model import Model
from allennlp.modules import Seq2SeqEncoder, TextFieldEmbedder
from allennlp.nn import InitializerApplicator
from allennlp.nn.util import get_text_field_mask
from torch import nn

from glyce_allennlp.formats.conll2009 import NO_ROLE, join_sense, split_sense
from glyce_allennlp.models.srl_metric import Conll2009SrlMetric

logger = logging.getLogger(__name__)

SCORERS = ("mlp", "biaffine")


def _excluded_label_mask(vocab: Vocabulary, namespace: str) -> torch.Tensor:
    """1 for the padding / OOV entries of a label namespace: never predicted."""
    size = vocab.get_vocab_size(namespace)
    mask = torch.zeros(size, dtype=torch.bool)
    for token in (DEFAULT_PADDING_TOKEN, DEFAULT_OOV_TOKEN):
        index = vocab.get_token_to_index_vocabulary(namespace).get(token)
        if index is not None:
            mask[index] = True
    return mask


@Model.register("k_order_srl")
class KOrderSrl(Model):
    """BiLSTM argument labeller over k-order-pruned candidates (He et al. 2018, "Syntax for Semantic Role Labeling,
    To Be, Or Not To Be"), with an optional predicate-sense classifier.

    Per predicate: the words' input vectors are ``[text_field_embedder(tokens) ⊕ POS embedding ⊕ predicate-indicator
    embedding]`` (the text field embedder holds the word embedding and/or the Glyce word embedding ``glyce_word``;
    the POS and indicator embeddings are left out when their size is 0) → ``encoder`` (a BiLSTM) → for each candidate
    word ``j`` of the predicate ``p`` a role distribution over the ``"srl_roles"`` labels, ``"_"`` being "no role":

    * ``scorer = "mlp"``: ``MLP([h_j ; h_p])`` (the paper's scorer: candidate and predicate states concatenated);
    * ``scorer = "biaffine"``: ``a_jᵀ W_r b_p + U_r [a_j ; b_p] + c_r`` with ``a_j = ReLU(A h_j)``,
      ``b_p = ReLU(B h_p)`` of size ``mlp_hidden_dim``.

    Only the candidates (the reader's ``candidates`` mask: the k-order pruning, all words when ``pruning_k = 0``) are
    scored, in training and at test time; every other word gets ``"_"``. The loss is the mean cross-entropy over the
    batch's candidates, plus ``sense_loss_weight`` × the mean cross-entropy of the sense classifier
    (``predict_senses``: an MLP over ``h_p`` predicting the sense label, ``01`` of ``发现.01``).

    Metrics (:class:`glyce_allennlp.models.srl_metric.Conll2009SrlMetric`, Python floats, counts summed over the
    workers of a distributed run): ``arg_precision``, ``arg_recall``, ``arg_f1`` (labelled arguments, senses not
    included), ``arg_unlabelled_f1``; with ``predict_senses`` also
    ``sem_precision``, ``sem_recall``, ``sem_f1`` (CoNLL-2009 official semantic labelled scores: arguments + senses)
    and ``sense_accuracy``. Gold arguments removed by the pruning count as misses.

    Parameters
    ----------
    vocab : the vocabulary (needs ``"_"`` in ``"srl_roles"``).
    text_field_embedder : embeds the ``tokens`` field (word embedding, ``glyce_word``, or both).
    encoder : a ``Seq2SeqEncoder``, e.g. ``{"type": "lstm", "bidirectional": true, ...}``; its input size must be
        ``text_field_embedder`` output + ``pos_embedding_dim`` + ``predicate_indicator_dim``.
    pos_embedding_dim : size of the POS embedding (namespace ``"pos"``); 0 = no POS input.
    predicate_indicator_dim : size of the predicate-indicator embedding; 0 = none (the scorer still sees ``h_p``).
    scorer : ``"mlp"`` (default) or ``"biaffine"``.
    mlp_hidden_dim : hidden size of the scorers.
    predict_senses : add the predicate-sense classifier (default ``True``).
    sense_loss_weight : weight of its loss.
    dropout : dropout on the input vectors and on the scorers' hidden layers.
    role_namespace, sense_namespace : label namespaces (``"srl_roles"``, ``"srl_senses"``).
    initializer : AllenNLP initializer.

    ``forward`` outputs, per instance: ``role_logits``, ``predicted_roles`` (one role per word, ``"_"`` = none),
    ``predicted_arguments`` (``{position: role}``), ``predicted_sense`` (the sense label, ``None`` without the
    classifier) and ``predicted_pred`` (``lemma.sense``, ``None`` without the classifier); ``loss`` when gold roles are
    given.
    """

    def __init__(self, vocab: Vocabulary, text_field_embedder: TextFieldEmbedder, encoder: Seq2SeqEncoder,
                 pos_embedding_dim: int = 0, predicate_indicator_dim: int = 16, scorer: str = "mlp",
                 mlp_hidden_dim: int = 300, predict_senses: bool = True, sense_loss_weight: float = 1.0,
                 dropout: float = 0.0, role_namespace: str = "srl_roles", sense_namespace: str = "srl_senses",
                 initializer: InitializerApplicator = InitializerApplicator(), **kwargs) -> None:
        super().__init__(vocab, **kwargs)
        if scorer not in SCORERS:
            raise ConfigurationError(f"scorer must be one of {SCORERS}, got {scorer!r}")
        if NO_ROLE not in vocab.get_token_to_index_vocabulary(role_namespace):
            raise ConfigurationError(f"the '{role_namespace}' namespace has no no-role label {NO_ROLE!r}: train on "
                                     f"CoNLL-2009 data read by the conll2009_srl reader")
        self.text_field_embedder = text_field_embedder
        self.encoder = encoder
        self.role_namespace = role_namespace
        self.sense_namespace = sense_namespace
        self.num_roles = vocab.get_vocab_size(role_namespace)
        self.no_role_index = vocab.get_token_index(NO_ROLE, role_namespace)
        self.pos_embedding = (nn.Embedding(vocab.get_vocab_size("pos"), pos_embedding_dim, padding_idx=0)
                              if pos_embedding_dim > 0 else None)
        self.indicator_embedding = nn.Embedding(2, predicate_indicator_dim) if predicate_indicator_dim > 0 else None
        input_dim = text_field_embedder.get_output_dim() + max(0, pos_embedding_dim) + max(0, predicate_indicator_dim)
        if encoder.get_input_dim() != input_dim:
            raise ConfigurationError(f"encoder input size {encoder.get_input_dim()} != text field embedder "
                                     f"{text_field_embedder.get_output_dim()} + POS {max(0, pos_embedding_dim)} + "
                                     f"predicate indicator {max(0, predicate_indicator_dim)} = {input_dim}")
        hidden = encoder.get_output_dim()
        self.dropout = nn.Dropout(dropout)
        self.scorer = scorer
        if scorer == "mlp":
            self.role_mlp = nn.Sequential(nn.Linear(2 * hidden, mlp_hidden_dim), nn.ReLU(), nn.Dropout(dropout),
                                          nn.Linear(mlp_hidden_dim, self.num_roles))
        else:
            self.candidate_proj = nn.Sequential(nn.Linear(hidden, mlp_hidden_dim), nn.ReLU(), nn.Dropout(dropout))
            self.predicate_proj = nn.Sequential(nn.Linear(hidden, mlp_hidden_dim), nn.ReLU(), nn.Dropout(dropout))
            self.bilinear = nn.Parameter(torch.zeros(self.num_roles, mlp_hidden_dim, mlp_hidden_dim))
            self.pair_linear = nn.Linear(2 * mlp_hidden_dim, self.num_roles)
            nn.init.xavier_uniform_(self.bilinear)
        self.predict_senses = bool(predict_senses)
        self.sense_loss_weight = float(sense_loss_weight)
        if self.predict_senses:
            self.sense_mlp = nn.Sequential(nn.Linear(hidden, mlp_hidden_dim), nn.ReLU(), nn.Dropout(dropout),
                                           nn.Linear(mlp_hidden_dim, vocab.get_vocab_size(sense_namespace)))
            self.register_buffer("_sense_excluded", _excluded_label_mask(vocab, sense_namespace), persistent=False)
        self.register_buffer("_role_excluded", _excluded_label_mask(vocab, role_namespace), persistent=False)
        self._scorer = Conll2009SrlMetric(score_senses=self.predict_senses)
        initializer(self)

    # ------------------------------------------------------------------------------------------------ scoring
    def _role_logits(self, encoded: torch.Tensor, predicate: torch.Tensor) -> torch.Tensor:
        """``encoded`` (B, T, H), ``predicate`` (B, H) → (B, T, R)."""
        if self.scorer == "mlp":
            pairs = torch.cat([encoded, predicate.unsqueeze(1).expand_as(encoded)], dim=-1)
            return self.role_mlp(pairs)
        a = self.candidate_proj(encoded)  # (B, T, d)
        b = self.predicate_proj(predicate)  # (B, d)
        bilinear = torch.einsum("btd,rde,be->btr", a, self.bilinear, b)
        pair = self.pair_linear(torch.cat([a, b.unsqueeze(1).expand_as(a)], dim=-1))
        return bilinear + pair

    def forward(self, tokens: TextFieldTensors, predicate_indicator: torch.LongTensor,  # type: ignore
                predicate_index: torch.LongTensor, candidates: torch.LongTensor,
                pos_tags: Optional[torch.LongTensor] = None, roles: Optional[torch.LongTensor] = None,
                sense: Optional[torch.LongTensor] = None,
                metadata: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        mask = get_text_field_mask(tokens)
        parts = [self.text_field_embedder(tokens)]
        if self.pos_embedding is not None:
            if pos_tags is None:
                raise ConfigurationError("pos_embedding_dim > 0 but the instances have no pos_tags")
            parts.append(self.pos_embedding(pos_tags))
        if self.indicator_embedding is not None:
            parts.append(self.indicator_embedding(predicate_indicator.clamp(0, 1)))
        embedded = self.dropout(torch.cat(parts, dim=-1))
        encoded = self.encoder(embedded, mask)  # (B, T, H)
        batch = torch.arange(encoded.shape[0], device=encoded.device)
        predicate_index = predicate_index.view(-1)
        predicate = encoded[batch, predicate_index]  # (B, H)
        role_logits = self._role_logits(encoded, predicate)
        candidate_mask = mask & candidates.bool()

        output: Dict[str, Any] = {"role_logits": role_logits, "mask": mask, "candidate_mask": candidate_mask}
        decode_logits = role_logits.masked_fill(self._role_excluded.view(1, 1, -1), float("-inf"))
        predicted = decode_logits.argmax(-1).masked_fill(~candidate_mask, self.no_role_index)
        sense_labels: List[Optional[str]] = [None] * encoded.shape[0]
        if self.predict_senses:
            sense_logits = self.sense_mlp(predicate)
            output["sense_logits"] = sense_logits
            sense_ids = sense_logits.masked_fill(self._sense_excluded.view(1, -1), float("-inf")).argmax(-1)
            sense_labels = [self.vocab.get_token_from_index(int(i), self.sense_namespace) for i in sense_ids]

        lengths = mask.sum(-1).tolist()
        predicted_roles, predicted_arguments, predicted_pred = [], [], []
        for b, (row, length) in enumerate(zip(predicted.tolist(), lengths)):
            labels = [self.vocab.get_token_from_index(i, self.role_namespace) for i in row[:length]]
            predicted_roles.append(labels)
            predicted_arguments.append({j: r for j, r in enumerate(labels) if r != NO_ROLE})
            lemma = metadata[b]["predicate_lemma"] if metadata else ""
            predicted_pred.append(None if sense_labels[b] is None else join_sense(lemma, sense_labels[b]))
        output["predicted_roles"] = predicted_roles
        output["predicted_arguments"] = predicted_arguments
        output["predicted_sense"] = sense_labels
        output["predicted_pred"] = predicted_pred

        if roles is not None:
            selected = candidate_mask.reshape(-1)
            loss = F.cross_entropy(role_logits.reshape(-1, self.num_roles)[selected], roles.reshape(-1)[selected])
            if self.predict_senses:
                if sense is None:
                    raise ConfigurationError("predict_senses is on but the instances have no sense field")
                loss = loss + self.sense_loss_weight * F.cross_entropy(output["sense_logits"], sense.view(-1))
            output["loss"] = loss
        if metadata is not None:  # one metric call per batch (it sums over the workers of a distributed run)
            scored = [b for b, meta in enumerate(metadata) if meta.get("gold_arguments") is not None]
            gold_senses = [split_sense(metadata[b]["gold_sense"])[1] for b in scored] if self.predict_senses else None
            self._scorer([metadata[b]["gold_arguments"] for b in scored], [predicted_arguments[b] for b in scored],
                         gold_senses, [sense_labels[b] for b in scored])
        return output

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        return output_dict  # the strings are made in forward (the metric needs them)

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {name: float(value) for name, value in self._scorer.get_metric(reset).items()}

    default_predictor = "chinese_srl"
