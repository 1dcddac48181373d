"""``pretrained_transformer_mismatched_sliding``: AllenNLP's ``pretrained_transformer_mismatched`` embedder for inputs
of any length, with overlapping windows (the BERT side of the Glyce-BERT taggers).

The stock embedder fails on a sentence with more wordpieces than the transformer has positions (BERT: 512), and its
``max_length`` option cuts the wordpieces into segments **without** overlap, so the characters next to a cut see no
context on one side. This embedder runs the transformer over overlapping windows instead and gives each wordpiece the
vector of the window in which it is most central:

* a window holds ``window`` wordpieces including the special tokens (``[CLS] … [SEP]`` for BERT), i.e.
  ``W = window − 2`` content wordpieces; consecutive windows start ``W − overlap`` wordpieces apart;
* each content wordpiece takes its vector from the window that maximises its distance to the window's edges, so every
  wordpiece that is not near the text's own start or end has at least ``overlap // 2`` wordpieces of context on each
  side;
* the vectors of the special tokens are those of the first window for the start tokens (``[CLS]``) and zero for the
  end tokens (``[SEP]``) and padding; the word-level output (what a tagger uses) never reads them;
* an input that fits in one window goes through the stock code path unchanged (identical output).

Pair it with the stock ``pretrained_transformer_mismatched`` indexer **without** ``max_length`` (the indexer then
produces the whole ``[CLS] … [SEP]`` wordpiece sequence, however long). Word-level output is the average of a word's
wordpieces (or the first, ``sub_token_mode: "first"``); a word without wordpieces gets a zero vector (as the stock
embedder). Time and memory grow linearly with the length.
"""
from typing import Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.modules.token_embedders import PretrainedTransformerMismatchedEmbedder, TokenEmbedder
from allennlp.nn import util


@TokenEmbedder.register("pretrained_transformer_mismatched_sliding")
class SlidingWindowMismatchedEmbedder(PretrainedTransformerMismatchedEmbedder):
    """``pretrained_transformer_mismatched`` over overlapping windows (see the module docstring).

    Parameters
    ----------
    model_name : the transformer (a local folder, e.g. ``std.extVar("BERT_MODEL")``).
    window : wordpieces per transformer call, special tokens included. Default: the model's
        ``max_position_embeddings`` (512 for BERT).
    overlap : wordpieces shared by consecutive windows. Default: a quarter of a window's content (127 for BERT).
        Must be smaller than the window's content.
    **kwargs : every other parameter of ``pretrained_transformer_mismatched`` (``train_parameters``,
        ``last_layer_only``, ``sub_token_mode``, …) except ``max_length``.
    """

    def __init__(self, model_name: str, window: Optional[int] = None, overlap: Optional[int] = None,
                 **kwargs) -> None:
        if kwargs.get("max_length") is not None:
            raise ConfigurationError("pretrained_transformer_mismatched_sliding makes its own (overlapping) windows: "
                                     "leave max_length unset, here and on the indexer")
        kwargs.pop("max_length", None)
        super().__init__(model_name, **kwargs)
        matched = self._matched_embedder
        self._num_start = matched._num_added_start_tokens
        self._num_end = matched._num_added_end_tokens
        config = matched.transformer_model.config
        self.window = int(window if window is not None else config.max_position_embeddings)
        content = self.window - self._num_start - self._num_end
        if content < 2:
            raise ConfigurationError(f"window={self.window} leaves no room for content next to the special tokens")
        self.overlap = int(overlap if overlap is not None else content // 4)
        if not 0 <= self.overlap < content:
            raise ConfigurationError(f"overlap must be in [0, {content}) for window={self.window}, got {self.overlap}")

    # ------------------------------------------------------------------------------------------------ wordpieces
    def window_starts(self, num_content: int):
        """Start offsets (in content wordpieces) of the windows covering ``num_content`` content wordpieces."""
        content = self.window - self._num_start - self._num_end
        step = content - self.overlap
        starts = [0]
        while starts[-1] + content < num_content:
            starts.append(starts[-1] + step)
        return starts

    def _wordpiece_embeddings(self, token_ids: torch.LongTensor, wordpiece_mask: torch.BoolTensor,
                              type_ids: Optional[torch.LongTensor]) -> torch.Tensor:
        batch_size, length = token_ids.shape
        if length <= self.window:
            return self._matched_embedder(token_ids, wordpiece_mask, type_ids=type_ids)
        ns, ne = self._num_start, self._num_end
        device = token_ids.device
        content_len = self.window - ns - ne
        lengths = wordpiece_mask.long().sum(-1)
        num_content = (lengths - ns - ne).clamp(min=0)  # (batch,)
        max_content = int(num_content.max())
        starts = self.window_starts(max_content)
        # the end tokens' ids (and type ids) of each row, e.g. [SEP]
        end_positions = (lengths - ne).unsqueeze(1) + torch.arange(ne, device=device)  # (batch, ne)
        end_ids = token_ids.gather(1, end_positions)
        end_types = type_ids.gather(1, end_positions) if type_ids is not None else None
        arange = torch.arange(content_len, device=device)
        all_ids, all_masks, all_types = [], [], []
        for start in starts:
            valid = (num_content - start).clamp(0, content_len)  # (batch,) content wordpieces in this window
            source = (ns + start + arange).clamp(max=length - 1)
            in_window = arange.unsqueeze(0) < valid.unsqueeze(1)  # (batch, content_len)
            ids = torch.zeros(batch_size, self.window, dtype=token_ids.dtype, device=device)
            ids[:, :ns] = token_ids[:, :ns]
            ids[:, ns:ns + content_len] = torch.where(in_window, token_ids[:, source], torch.zeros_like(ids[:, :1]))
            where_end = ns + valid.unsqueeze(1) + torch.arange(ne, device=device)  # (batch, ne)
            ids.scatter_(1, where_end, end_ids)
            mask = torch.arange(self.window, device=device).unsqueeze(0) < (ns + valid + ne).unsqueeze(1)
            all_ids.append(ids)
            all_masks.append(mask)
            if type_ids is not None:
                types = torch.zeros_like(ids)
                types[:, :ns] = type_ids[:, :ns]
                types[:, ns:ns + content_len] = torch.where(in_window, type_ids[:, source],
                                                            torch.zeros_like(types[:, :1]))
                types.scatter_(1, where_end, end_types)
                all_types.append(types)
        window_ids = torch.cat(all_ids)  # (num_windows * batch, window), window-major
        window_mask = torch.cat(all_masks)
        window_types = torch.cat(all_types) if type_ids is not None else None
        outputs = self._matched_embedder(window_ids, window_mask, type_ids=window_types)
        outputs = outputs.view(len(starts), batch_size, self.window, -1)
        # each content position p takes the window where it is most central
        positions = torch.arange(max_content, device=device)
        starts_t = torch.tensor(starts, device=device)
        offset = positions.unsqueeze(0) - starts_t.unsqueeze(1)  # (num_windows, max_content)
        inside = (offset >= 0) & (offset < content_len)
        score = torch.where(inside, torch.minimum(offset, content_len - 1 - offset), torch.full_like(offset, -1))
        best = score.argmax(0)  # (max_content,)
        picked = outputs[best, :, ns + positions - starts_t[best]]  # (max_content, batch, dim)
        picked = picked.transpose(0, 1) * (positions.unsqueeze(0) < num_content.unsqueeze(1)).unsqueeze(-1)
        result = outputs.new_zeros(batch_size, length, outputs.shape[-1])
        result[:, :ns] = outputs[0, :, :ns]
        result[:, ns:ns + max_content] = picked
        return result

    # ------------------------------------------------------------------------------------------------ forward
    def forward(self, token_ids: torch.LongTensor, mask: torch.BoolTensor, offsets: torch.LongTensor,
                wordpiece_mask: torch.BoolTensor, type_ids: Optional[torch.LongTensor] = None,
                segment_concat_mask: Optional[torch.BoolTensor] = None) -> torch.Tensor:  # type: ignore
        """Same inputs and output as ``pretrained_transformer_mismatched``: ``(batch, num_words, dim)``."""
        if segment_concat_mask is not None:
            raise ConfigurationError("pretrained_transformer_mismatched_sliding got folded segments: remove max_length "
                                     "from the pretrained_transformer_mismatched indexer")
        embeddings = self._wordpiece_embeddings(token_ids, wordpiece_mask, type_ids)
        span_embeddings, span_mask = util.batched_span_select(embeddings.contiguous(), offsets)
        span_mask = span_mask.unsqueeze(-1)
        span_embeddings = span_embeddings * span_mask
        if self.sub_token_mode == "first":
            return span_embeddings[:, :, 0, :]
        if self.sub_token_mode != "avg":
            raise ConfigurationError(f"Do not recognise 'sub_token_mode' {self.sub_token_mode}")
        span_len = span_mask.sum(2)
        word_embeddings = span_embeddings.sum(2) / torch.clamp_min(span_len, 1)
        return word_embeddings.masked_fill(span_len == 0, 0.0)
