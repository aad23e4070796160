# Testes ocultos do caderno 09_pipeline_completo.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis, e reaproveitam a corrida `corrida_t` do pipeline (o teste
# visível corre-o, ou volta a corrê-lo, numa pasta vazia com numa_pasta_vazia). Nunca usam
# solutions/ nem as funções que o aluno trouxe dos cadernos 01 e 04: medem com um interpretador
# e um gzip próprios.
# Medido com a referência (digits, semente 0, esparsidade 0.8, 4 épocas de poda e 2 de
# afinação): TFLite float 140 957 B, podado (float) 42 293 B, int8 14 828 B (9,5×); exatidão
# 0,956 → 0,956 (Keras e TFLite float iguais); 80,0 % de zeros nos pesos int8 e nos kernels do
# podado; 0,0 % no original; latência ~0,005 ms por exemplo.

# %% teste_escolher_politica_precisao
_casos = {
    "cpu": "float32", "CPU": "float32", " cpu\n": "float32",
    "gpu": "mixed_float16", "Cuda": "mixed_float16", "mps": "mixed_float16", " MPS ": "mixed_float16",
    "tpu": "mixed_bfloat16", "\tTPU ": "mixed_bfloat16",
}
for _disp, _pol in _casos.items():
    _obtido = escolher_politica_precisao(_disp)
    assert _obtido == _pol, f"escolher_politica_precisao({_disp!r}) devia dar {_pol!r} e deu {_obtido!r}. Revê a tabela do enunciado (e ignora maiúsculas e espaços à volta)."
for _disp in ["", "   ", "gpu0", "cpu cuda", "metal", "m1", "xpu", "float32"]:
    try:
        _obtido = escolher_politica_precisao(_disp)
    except ValueError as _erro:
        assert str(_erro).strip(), f"O ValueError para {_disp!r} precisa de uma mensagem que diga os dispositivos válidos."
    else:
        raise AssertionError(f"escolher_politica_precisao({_disp!r}) devolveu {_obtido!r}: um dispositivo fora da tabela tem de levantar ValueError.")

# %% teste_pipeline_resultado
def _inferir_ref(_b, _x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _i = tf.lite.Interpreter(model_content=bytes(_b))
    _e = _i.get_input_details()[0]
    _i.resize_tensor_input(_e["index"], list(_x.shape))
    _i.allocate_tensors()
    _e, _s = _i.get_input_details()[0], _i.get_output_details()[0]
    _v = np.asarray(_x, dtype=np.float32)
    if _e["dtype"] == np.int8:
        _v = np.clip(np.round(_v / _e["quantization"][0]) + _e["quantization"][1], -128, 127).astype(np.int8)
    _i.set_tensor(_e["index"], _v)
    _i.invoke()
    return _i.get_tensor(_s["index"]), _e["dtype"], _s["dtype"]

with conversao.sem_mensagens_internas():
    _saidas, _tipo_entrada, _tipo_saida = _inferir_ref(tflite_t, d.x_val)
    _pesos = conversao.tensores_int8(tflite_t)
# Um modelo totalmente int8: entrada, saída e pesos grandes.
assert _tipo_entrada == np.int8, "O TFLite devolvido deve ter entrada int8 (quantização int8 completa, como no caderno 01)."
assert _tipo_saida == np.int8, "O TFLite devolvido deve ter saída int8 (quantização int8 completa)."
assert _pesos, "Não encontrei pesos int8 no TFLite devolvido: quantizaste com quantizar_modelo_int8?"
_zeros = sum(int((t == 0).sum()) for t in _pesos.values()) / sum(t.size for t in _pesos.values())
assert _zeros >= 0.7, f"Só {_zeros:.1%} dos pesos int8 são zero (pediste 80 %): a afinação desfez a poda? Afina com a máscara fixa e só depois strip_pruning."
# A exatidão final, medida aqui sem as funções do aluno, contra a do modelo Keras float.
_ex_final = float(np.mean(np.argmax(_saidas, axis=-1) == d.y_val))
_ex_float = modelos.exatidao(modelo, d.x_val, d.y_val)
assert _ex_float - _ex_final <= 0.03, f"A exatidão do TFLite devolvido é {_ex_final:.3f} (o modelo float tem {_ex_float:.3f}): caiu mais de 3 pontos."
# O fator de compressão com um gzip próprio (nível 9) e o TFLite float do modelo original.
_gz_final = len(gzip.compress(bytes(tflite_t), compresslevel=9, mtime=0))
assert tamanho_float_t / _gz_final >= 8, f"O TFLite devolvido só é {tamanho_float_t / _gz_final:.1f}× mais pequeno do que o float original (gzip); esperava ≥ 8×."

# %% teste_pipeline_sem_efeitos
# O modelo de quem chama continua a ser o mesmo modelo: as mesmas camadas, sem invólucros da poda.
_tipos_base = [type(c).__name__ for c in corrida_t["base"].layers]
_tipos_modelo = [type(c).__name__ for c in modelo.layers]
assert _tipos_base == _tipos_modelo, f"As camadas do modelo que passaste mudaram ({_tipos_base}): prune_low_magnitude envolve as camadas que recebe; poda uma cópia (clone_model)."
_prev_base = corrida_t["base"].predict(d.x_val[:64], verbose=0)
_prev_modelo = modelo.predict(d.x_val[:64], verbose=0)
assert np.allclose(_prev_base, _prev_modelo, atol=1e-5), "O modelo que passaste já não prevê o mesmo: o pipeline mexeu nele."
# O pipeline foi testado sob a política predefinida, como diz o enunciado.
assert corrida_t["registo"]["politica_antes"] == "float32", "O pipeline devia ter corrido sob a política float32 (a predefinida): uma célula anterior deixou outra? Corre o caderno de cima para baixo."

# %% teste_pipeline_relatorio
def _inferir_ref(_b, _x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _i = tf.lite.Interpreter(model_content=bytes(_b))
    _e = _i.get_input_details()[0]
    _i.resize_tensor_input(_e["index"], list(_x.shape))
    _i.allocate_tensors()
    _e, _s = _i.get_input_details()[0], _i.get_output_details()[0]
    _v = np.asarray(_x, dtype=np.float32)
    if _e["dtype"] == np.int8:
        _v = np.clip(np.round(_v / _e["quantization"][0]) + _e["quantization"][1], -128, 127).astype(np.int8)
    _i.set_tensor(_e["index"], _v)
    _i.invoke()
    return _i.get_tensor(_s["index"])

_por_etapa = {e["etapa"]: e for e in etapas}
for _e in etapas:
    assert isinstance(_e["tamanho_gzip"], (int, np.integer)), f"{_e['etapa']}: tamanho_gzip são bytes (int), não MB."
    assert np.isfinite(_e["latencia_ms"]) and 0 < _e["latencia_ms"] < 1000, f"{_e['etapa']}: a latência ({_e['latencia_ms']}) devia ser a mediana, em milissegundos, de uma inferência com um exemplo."
# «original»: o TFLite float do modelo recebido, medido aqui com um gzip próprio.
_gz_float = len(gzip.compress(bytes(float_original), compresslevel=9, mtime=0))  # da secção 3 do caderno
assert abs(_por_etapa["original"]["tamanho_gzip"] - _gz_float) <= 0.1 * _gz_float, f"O tamanho da etapa original ({_por_etapa['original']['tamanho_gzip']}) devia ser o do TFLite float do modelo depois de gzip (~{_gz_float} bytes); um .keras ou bytes sem gzip dão outra coisa."
_ex_float = modelos.exatidao(modelo, d.x_val, d.y_val)
assert abs(_por_etapa["original"]["precisao"] - _ex_float) <= 0.01, f"A precisão da etapa original ({_por_etapa['original']['precisao']:.3f}) devia ser a do TFLite float do modelo em (x_val, y_val), ~{_ex_float:.3f}."
# «int8»: o que otimizar_completo devolveu, medido de novo aqui.
with conversao.sem_mensagens_internas():
    _ex_int8 = float(np.mean(np.argmax(_inferir_ref(corrida_t["tflite"], d.x_val), axis=-1) == d.y_val))
    _pesos = conversao.tensores_int8(corrida_t["tflite"])
assert abs(_por_etapa["int8"]["precisao"] - _ex_int8) <= 0.01, f"A precisão da etapa int8 ({_por_etapa['int8']['precisao']:.3f}) devia ser a do TFLite devolvido em (x_val, y_val): medi {_ex_int8:.3f}."
_zeros = sum(int((t == 0).sum()) for t in _pesos.values()) / sum(t.size for t in _pesos.values())
assert abs(_por_etapa["int8"]["esparsidade"] - _zeros) <= 0.03, f"A esparsidade da etapa int8 ({_por_etapa['int8']['esparsidade']:.3f}) devia ser a fração de zeros dos pesos int8 do TFLite devolvido (~{_zeros:.3f})."
# Esparsidade: o original não tem zeros; o podado tem a que se pediu (0.8).
assert _por_etapa["original"]["esparsidade"] <= 0.02, f"A esparsidade do original devia ser ~0 (é o modelo antes da poda), não {_por_etapa['original']['esparsidade']:.3f}. Mediste o modelo recebido ou o podado?"
assert abs(_por_etapa["podado"]["esparsidade"] - 0.8) <= 0.03, f"A esparsidade do podado ({_por_etapa['podado']['esparsidade']:.3f}) devia ser a pedida (0.8): mede os kernels do modelo podado e afinado (a tua calcular_sparsity)."
# O gráfico tem alguma coisa desenhada.
with contextlib.redirect_stdout(io.StringIO()):
    _fig = corrida_t["pipeline"].gerar_relatorio()
assert _fig.axes and any(a.lines or a.collections or a.patches for a in _fig.axes), "A figura de gerar_relatorio() está vazia: desenha o tamanho contra a exatidão de cada etapa."
plt.close(_fig)

# %% contexto
# O juiz (autograder/juiz.py) corre aqui todos os testes do 09. O PipelineOtimizacao vive no
# kernel do aluno e é usado por número: o modelo que recebe vai como dados (e o estado dele volta
# depois de cada método), os bytes do TFLite, o relatório e a figura (os pontos desenhados) voltam
# como dados, e o numa_pasta_vazia do caderno abre-se e fecha-se lá, à volta do otimizar_completo.
# Tudo o que se mede (exatidão, tamanhos, zeros) mede-se aqui, com um interpretador próprio; o
# avaliar_tflite dos testes visíveis é o deste contexto (um erro no do caderno 01 já contou lá).
import contextlib  # noqa: F401 (usado pelos testes)
import gzip  # noqa: F401
import io  # noqa: F401
import warnings

import matplotlib.pyplot as plt  # noqa: F401
import tensorflow as tf
import tf_keras as keras  # noqa: F401

from otimizacao import conversao, dados, modelos

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
modelo = modelos.treinar_modelo_base(d)  # o mesmo modelo de base do caderno (cache)
with conversao.sem_mensagens_internas():
    float_original = conversao.converter_float(modelo)  # o TFLite float da secção 3
numa_pasta_vazia = contexto_no_kernel("numa_pasta_vazia")


def avaliar_tflite(modelo_tflite: bytes, x, y) -> float:
    """A exatidão de um TFLite (float ou int8) em (x, y), com o interpretador deste processo."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interp = tf.lite.Interpreter(model_content=bytes(modelo_tflite))
    entrada = interp.get_input_details()[0]
    interp.resize_tensor_input(entrada["index"], [len(x), *np.asarray(x).shape[1:]])
    interp.allocate_tensors()
    entrada, saida = interp.get_input_details()[0], interp.get_output_details()[0]
    valores = np.asarray(x, dtype=np.float32)
    if entrada["dtype"] == np.int8:
        escala, zero = entrada["quantization"]
        valores = np.clip(np.round(valores / escala) + zero, -128, 127).astype(np.int8)
    interp.set_tensor(entrada["index"], valores)
    interp.invoke()
    return float(np.mean(np.argmax(interp.get_tensor(saida["index"]), axis=-1) == np.asarray(y)))
