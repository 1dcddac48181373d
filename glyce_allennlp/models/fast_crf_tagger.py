"""``glyce_crf_tagger``: allennlp-models' ``crf_tagger`` with a batched, vectorised Viterbi decoder.

The stock ``CrfTagger.forward`` calls ``ConditionalRandomField.viterbi_tags`` on **every** batch (training included,
to feed the span-F1 metric), which decodes one sentence at a time with one Python loop iteration and several small
tensor operations per character, then fills the metric's one-hot "class probabilities" one element at a time. On Resume
NER that dominates a char-ID BiLSTM-CRF's training time (on a GPU the device sits idle).

:class:`FastCrfTagger` takes exactly the same parameters (it is a subclass) and produces exactly the same output:
``tags`` is a list of lists of Python ints, the same paths as the stock decoder (see :func:`batched_viterbi` for why
they are identical, ties and the ``-10000`` constraint penalty included), and the metrics see the same one-hot tensor.
The decoder runs on the logits' device as one loop over time steps for the whole batch. ``top_k > 1`` and CRF
subclasses that override ``viterbi_tags`` fall back to the stock code.
"""
from typing import Any, Dict, List, Optional, Tuple, cast

import numpy as np
import torch
from allennlp.data import TextFieldTensors
from allennlp.models.model import Model
from allennlp.modules import ConditionalRandomField
import allennlp.nn.util as util
from allennlp_models.tagging.models.crf_tagger import CrfTagger

_IMPOSSIBLE = -10000.0  # the stock decoder's penalty for a forbidden transition / the sentinel tags


def crf_transition_matrix(crf: ConditionalRandomField) -> torch.Tensor:
    """The ``(num_tags + 2, num_tags + 2)`` matrix the stock ``viterbi_tags`` builds: transitions with the constraint
    mask applied as ``-10000`` penalties, row ``num_tags`` = from START, column ``num_tags + 1`` = to END. Computed with
    the same float operations, so scores are bit-identical."""
    num_tags = crf.num_tags
    start_tag, end_tag = num_tags, num_tags + 1
    cmask = crf._constraint_mask
    transitions = torch.full((num_tags + 2, num_tags + 2), _IMPOSSIBLE, device=crf.transitions.device)
    constrained = crf.transitions * cmask[:num_tags, :num_tags] + _IMPOSSIBLE * (1 - cmask[:num_tags, :num_tags])
    transitions[:num_tags, :num_tags] = constrained.data
    if crf.include_start_end_transitions:
        transitions[start_tag, :num_tags] = crf.start_transitions.detach() * cmask[
            start_tag, :num_tags
        ].data + _IMPOSSIBLE * (1 - cmask[start_tag, :num_tags].detach())
        transitions[:num_tags, end_tag] = crf.end_transitions.detach() * cmask[
            :num_tags, end_tag
        ].data + _IMPOSSIBLE * (1 - cmask[:num_tags, end_tag].detach())
    else:
        transitions[start_tag, :num_tags] = _IMPOSSIBLE * (1 - cmask[start_tag, :num_tags].detach())
        transitions[:num_tags, end_tag] = _IMPOSSIBLE * (1 - cmask[:num_tags, end_tag].detach())
    return transitions


@torch.no_grad()
def batched_viterbi(
    crf: ConditionalRandomField, logits: torch.Tensor, mask: Optional[torch.Tensor] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Best tag path of every sentence of the batch at once, on the logits' device.

    Returns ``(paths, lengths)``: ``paths`` is a ``(batch, max_len)`` LongTensor whose row ``b`` holds the path in its
    first ``lengths[b]`` entries (0 after), ``lengths = mask.sum(1)``. Like the stock decoder, the unmasked positions
    of a row are taken in order (a mask need not be a prefix) and the path is reported left-aligned.

    Identical to ``[x[0][0] for x in crf.viterbi_tags(logits, mask, top_k=1)]``: the same augmented ``num_tags + 2``
    state space (START and END sentinels, ``-10000`` for forbidden transitions and for sentinel emissions) and the same
    float32 additions in the same order (``previous score + transition``, max over the previous tag, ``+ emission``),
    so every score is bit-identical. Only exact ties can be broken differently (the stock decoder uses ``torch.topk``,
    whose choice among equal values is an implementation detail; ``max`` is many times faster): after decoding, every
    choice that lies on a returned path is checked for a tie, and the (rare) sentences that have one are decoded again
    with the stock decoder.
    """
    batch_size, max_len, num_tags = logits.shape
    device = logits.device
    if mask is None:
        mask = torch.ones(batch_size, max_len, dtype=torch.bool, device=device)
    mask = mask.bool()
    lengths = mask.sum(dim=1)
    if batch_size == 0 or max_len == 0:
        return torch.zeros(batch_size, max_len, dtype=torch.long, device=device), lengths

    emissions = logits.detach().float()  # the stock decoder copies logits into a float32 buffer
    inside = torch.arange(max_len, device=device).unsqueeze(0) < lengths.unsqueeze(1)  # (B, T)
    if not torch.equal(inside, mask):  # holes in the mask: move unmasked positions to the front, keeping order
        compact = torch.sort((~mask).to(torch.uint8), dim=1, stable=True).indices
        emissions = emissions.gather(1, compact.unsqueeze(-1).expand(-1, -1, num_tags))

    # Longest sentence first: at position t only the first `active[t]` rows still have characters, so the work is
    # proportional to the number of characters, not batch size x longest sentence.
    ends = lengths.tolist()
    order = sorted(range(batch_size), key=lambda b: -ends[b])
    ends = [ends[b] for b in order]
    steps = ends[0]
    if steps == 0:
        return torch.zeros(batch_size, max_len, dtype=torch.long, device=device), lengths
    active = [0] * steps
    for n in ends:
        if n:
            active[n - 1] += 1
    for t in range(steps - 2, -1, -1):
        active[t] += active[t + 1]
    permutation = torch.tensor(order, device=device)
    emissions = emissions[permutation, :steps]
    sorted_lengths = lengths[permutation]

    n_states = num_tags + 2
    start_tag, end_tag = num_tags, num_tags + 1
    transitions = crf_transition_matrix(crf).to(device)  # (K, K): [from, to]
    # Emission rows of the augmented space: the sentinels can never be emitted inside a sentence.
    full = emissions.new_full((steps, batch_size, n_states), _IMPOSSIBLE)
    full[:, :, :num_tags] = emissions.transpose(0, 1)

    initial = emissions.new_full((batch_size, n_states), _IMPOSSIBLE)
    initial[:, start_tag] = 0.0
    history = emissions.new_zeros((steps, batch_size, n_states))  # score after each position
    backpointers = torch.zeros((steps, batch_size, n_states), dtype=torch.long, device=device)
    score = initial
    for t in range(steps):
        n = active[t]
        best, best_prev = (score[:n].unsqueeze(2) + transitions).max(dim=1)
        score = full[t, :n] + best
        history[t, :n] = score
        backpointers[t, :n] = best_prev
    # Score after each sentence's last character (START alone for an empty sentence).
    last = (sorted_lengths - 1).clamp(min=0)
    final_score = history.gather(0, last.view(1, -1, 1).expand(1, -1, n_states)).squeeze(0)
    final_score = torch.where((sorted_lengths > 0).unsqueeze(1), final_score, initial)

    # Step into the END sentinel (its emission row: 0 for END, -10000 elsewhere), then pick the best final state.
    end_row = emissions.new_full((n_states,), _IMPOSSIBLE)
    end_row[end_tag] = 0.0
    closing_candidates = final_score.unsqueeze(2) + transitions  # (B, K_prev, K)
    best, best_prev = closing_candidates.max(dim=1)
    closing = end_row + best
    last_state = closing.argmax(dim=1, keepdim=True)  # (B, 1)
    current = best_prev.gather(1, last_state).squeeze(1)  # state at each sentence's last position

    # Backtracking: one cheap numpy gather per position on the host (T small torch ops would cost more on a CPU, and
    # the paths go to Python lists anyway).
    pointers = backpointers.cpu().numpy()  # (T, B, K)
    host_ends, last_states = np.array(ends, dtype=np.int64), current.cpu().numpy()
    rows = np.arange(batch_size)
    host_paths = np.zeros((batch_size, steps), dtype=np.int64)
    state = np.zeros(batch_size, dtype=np.int64)
    for t in range(steps - 1, -1, -1):
        state = np.where(host_ends == t + 1, last_states, state)  # rows whose last character is at t start here
        host_paths[:, t] = state
        if t > 0:
            state = pointers[t, rows, state]
    inside_sorted = np.arange(steps)[None, :] < host_ends[:, None]
    host_paths *= inside_sorted
    sorted_paths = torch.from_numpy(host_paths).to(device)

    # Ties on the returned paths: the choice of the state at t-1 given the state at t (1 <= t < length), the choice
    # of the last state given END, and the choice of the final state itself. Recomputed with the same float additions.
    previous = history[:-1].transpose(0, 1)  # (B, T-1, K): score after position t-1, for t = 1 .. T-1
    cand = previous + transitions.t()[sorted_paths[:, 1:]]  # [b, t, i] = score_{t-1}[i] + trans[i, path_t]
    tied = (cand == cand.max(dim=2, keepdim=True).values).sum(dim=2) > 1
    tied = (tied & torch.from_numpy(inside_sorted[:, 1:]).to(device)).any(dim=1)
    final_cand = closing_candidates.gather(2, last_state.unsqueeze(1).expand(-1, n_states, 1)).squeeze(2)
    tied |= (final_cand == final_cand.max(dim=1, keepdim=True).values).sum(dim=1) > 1
    tied |= (closing == closing.max(dim=1, keepdim=True).values).sum(dim=1) > 1
    tied &= sorted_lengths > 0

    paths = torch.zeros(batch_size, max_len, dtype=torch.long, device=device)
    paths[permutation, :steps] = sorted_paths
    if bool(tied.any()):
        for row in tied.nonzero().view(-1).tolist():
            b = order[row]
            path = crf.viterbi_tags(logits[b: b + 1], mask[b: b + 1], top_k=1)[0][0][0]
            paths[b, : len(path)] = torch.tensor(path, dtype=torch.long, device=device)
    return paths, lengths


def batched_viterbi_tags(
    crf: ConditionalRandomField, logits: torch.Tensor, mask: Optional[torch.Tensor] = None
) -> List[List[int]]:
    """``[x[0][0] for x in crf.viterbi_tags(logits, mask, top_k=1)]``, batched: one list of Python ints per row."""
    paths, lengths = batched_viterbi(crf, logits, mask)
    rows = paths.tolist()
    return [row[:n] for row, n in zip(rows, lengths.tolist())]


def _uses_stock_viterbi(crf: torch.nn.Module) -> bool:
    return isinstance(crf, ConditionalRandomField) and \
        type(crf).viterbi_tags is ConditionalRandomField.viterbi_tags


@Model.register("glyce_crf_tagger")
class FastCrfTagger(CrfTagger):
    """allennlp-models ``crf_tagger`` (same parameters, same outputs, same metrics) whose Viterbi decoding runs batched
    on the model's device (:func:`batched_viterbi`) instead of one sentence at a time in Python.

    Registered as ``glyce_crf_tagger``; swap ``"type": "crf_tagger"`` for it in any config. ``top_k > 1`` (which also
    returns ``top_k_tags``) uses the stock decoder."""

    def forward(
        self,  # type: ignore
        tokens: TextFieldTensors,
        tags: torch.LongTensor = None,
        metadata: List[Dict[str, Any]] = None,
        ignore_loss_on_o_tags: Optional[bool] = None,
        **kwargs,
    ) -> Dict[str, torch.Tensor]:
        if self.top_k != 1 or not _uses_stock_viterbi(self.crf):
            return super().forward(tokens, tags, metadata, ignore_loss_on_o_tags, **kwargs)
        ignore_loss_on_o_tags = (
            ignore_loss_on_o_tags if ignore_loss_on_o_tags is not None else self.ignore_loss_on_o_tags
        )
        embedded_text_input = self.text_field_embedder(tokens)
        mask = util.get_text_field_mask(tokens)
        if self.dropout:
            embedded_text_input = self.dropout(embedded_text_input)
        encoded_text = self.encoder(embedded_text_input, mask)
        if self.dropout:
            encoded_text = self.dropout(encoded_text)
        if self._feedforward is not None:
            encoded_text = self._feedforward(encoded_text)
        logits = self.tag_projection_layer(encoded_text)

        paths, lengths = batched_viterbi(self.crf, logits, mask)
        predicted_tags = cast(List[List[int]], [row[:n] for row, n in zip(paths.tolist(), lengths.tolist())])
        output = {"logits": logits, "mask": mask, "tags": predicted_tags}

        if tags is not None:
            if ignore_loss_on_o_tags:
                o_tag_index = self.vocab.get_token_index("O", namespace=self.label_namespace)
                crf_mask = mask & (tags != o_tag_index)
            else:
                crf_mask = mask
            output["loss"] = -self.crf(logits, tags, crf_mask)

            # The stock model's one-hot "class probabilities" (a 1 at each decoded tag, left-aligned like the paths),
            # built in one tensor operation instead of one Python assignment per character.
            class_probabilities = logits * 0.0
            decoded = torch.arange(paths.shape[1], device=paths.device).unsqueeze(0) < lengths.unsqueeze(1)
            one_hot = torch.nn.functional.one_hot(paths, num_classes=logits.shape[-1]).bool()
            one_hot &= decoded.unsqueeze(-1)
            class_probabilities = class_probabilities.masked_fill(one_hot.to(logits.device), 1.0)

            for metric in self.metrics.values():
                metric(class_probabilities, tags, mask)
            if self.calculate_span_f1:
                self._f1_metric(class_probabilities, tags, mask)
            elif self._verbose_metrics:
                self._f_beta_measure(class_probabilities, tags, mask)
        if metadata is not None:
            output["words"] = [x["words"] for x in metadata]
        return output

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        return {k: float(v) if isinstance(v, (int, float)) or torch.is_tensor(v) else v
                for k, v in super().get_metrics(reset).items()}
