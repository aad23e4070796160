# Testes ocultos do caderno 05_poda_e_quantizacao.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis, e reaproveitam o resultado `r` do teste visível (o pipeline
# treina ~20 s; não o corremos mais vezes). Nunca usam solutions/ nem as funções que o aluno
# trouxe dos cadernos 01 e 04: medem com um interpretador e um gzip próprios.
# Medido com a referência (digits, semente 0): original 140 957 B, final 14 929 B (9,4×),
# exatidão 0,956 → 0,959; 80,0 % de zeros na matriz int8 da camada densa.

# %% teste_otimizar_pipeline

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

assert 0 <= float(r["precisao_original"]) <= 1, "precisao_original é uma fração entre 0 e 1 (não uma percentagem)."
with conversao.sem_mensagens_internas():
    _saidas, _tipo_entrada, _tipo_saida = _inferir_ref(r["modelo_tflite"], d.x_val)
    _pesos = conversao.tensores_int8(r["modelo_tflite"])
# Um modelo totalmente int8: entrada, saída e pesos grandes.
assert _tipo_entrada == np.int8, "O modelo final deve ter entrada int8 (quantização int8 completa, como no caderno 01)."
assert _tipo_saida == np.int8, "O modelo final deve ter saída int8 (quantização int8 completa)."
assert _pesos, "Não encontrei pesos int8 no modelo final: quantizaste com quantizar_modelo_int8?"
_zeros = sum(int((t == 0).sum()) for t in _pesos.values()) / sum(t.size for t in _pesos.values())
assert _zeros >= 0.7, f"Só {_zeros:.1%} dos pesos int8 grandes são zero (esperava ~80 %): a afinação desfez a poda? Afina com a máscara fixa (prune_low_magnitude + ConstantSparsity) e só depois strip_pruning."
# A exatidão final devolvida é a do TFLite final na validação (medida aqui, sem as funções do aluno).
_ex = float(np.mean(np.argmax(_saidas, axis=-1) == d.y_val))
assert abs(float(r["precisao_final"]) - _ex) <= 0.01, f"precisao_final ({r['precisao_final']:.3f}) devia ser a exatidão do TFLite final em (x_val, y_val): medi {_ex:.3f}. A tua avaliar_tflite (caderno 01) está certa?"

# %% teste_otimizar_medidas
_original, _final = int(r["tamanho_original"]), int(r["tamanho_final"])
assert abs(float(r["reducao"]) - (1 - _final / _original) * 100) < 0.5, f"reducao deve ser a percentagem poupada, (1 - final/original)·100 = {(1 - _final / _original) * 100:.1f}, e não {r['reducao']}."
# O tamanho final é o do TFLite devolvido, comprimido (tolerância para outros níveis de gzip).
_gz = len(gzip.compress(bytes(r["modelo_tflite"]), compresslevel=9, mtime=0))
assert abs(_final - _gz) <= 0.05 * _gz, f"tamanho_final ({_final}) devia ser o tamanho gzip do TFLite devolvido (~{_gz} bytes)."
# O original é o TFLite float do modelo (gzip ~141 000 bytes); um .keras ou os bytes sem gzip dão outra coisa.
with conversao.sem_mensagens_internas():
    _float = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
_gz_float = len(gzip.compress(_float, compresslevel=9, mtime=0))
assert abs(_original - _gz_float) <= 0.1 * _gz_float, f"tamanho_original ({_original}) devia ser o tamanho gzip do TFLite float do modelo original (~{_gz_float} bytes)."

# %% contexto
# O contexto do juiz (autograder/juiz.py): o que os testes usam, calculado aqui, fora do kernel
# do aluno. O pipeline do aluno corre no kernel dele (com as suas funções dos cadernos 01 e 04);
# o dicionário que devolve volta como dados simples (bytes do TFLite, números).
import gzip  # noqa: F401 (usado pelos testes)
import warnings  # noqa: F401 (usado pelos testes)
import tensorflow as tf
import tf_keras as keras  # noqa: F401

from otimizacao import conversao, dados, modelos  # noqa: F401

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
modelo = modelos.treinar_modelo_base(d)
