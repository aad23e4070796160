# Testes ocultos do caderno 01_ptq_tflite.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, tf, modelo, d,
# modelo_tflite_float, exatidao_float e as funções do aluno). Cada secção é independente das
# outras (define os seus próprios auxiliares) e nunca usa solutions/: o interpretador de
# referência é o tf.lite.Interpreter sem delegates, e os limiares vêm de docs/contrato.md#01_ptq_tflite.

# %% teste_quantizar_int8_tipos

def _interp_ref(_b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _i = tf.lite.Interpreter(model_content=bytes(_b), experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    _i.allocate_tensors()
    return _i

_i = _interp_ref(resultado)
_t = {_x["index"]: _x for _x in _i.get_tensor_details()}
_pesos = [(_op["op_name"], np.dtype(_t[_op["inputs"][1]]["dtype"])) for _op in _i._get_ops_details() if _op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")]
assert len(_pesos) == 3, f"O modelo de base tem 1 Conv2D e 2 Dense, mas o modelo TFLite tem {len(_pesos)} operações com pesos: converteste o modelo recebido?"
assert all(_dt == np.int8 for _, _dt in _pesos), f"Nem todos os pesos das camadas Conv/Dense estão em int8: {_pesos}. Usa optimizations = [tf.lite.Optimize.DEFAULT] com supported_ops = [TFLITE_BUILTINS_INT8]."
# A calibração usa só as primeiras num_amostras: 5 imagens reais seguidas de 50 imagens com valor
# 10 (fora de [0, 1]). Usando só as 5, a escala da entrada é ~1/255; usando todas, ~10/255.
_calib = np.concatenate([d.x_treino[:5], np.full((50, 8, 8, 1), 10.0, dtype=np.float32)])
_escala, _ = _interp_ref(quantizar_modelo_int8(modelo, _calib, 5)).get_input_details()[0]["quantization"]
assert abs(_escala - 1 / 255) <= 0.05 / 255, f"Com num_amostras=5, a calibração deve usar só as 5 primeiras imagens (escala da entrada esperada ≈ 1/255, veio {_escala:.4f}): respeitas o argumento num_amostras?"

# %% teste_quantizar_int8_tamanho

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
    _o = _i.get_tensor(_s["index"])
    if _s["dtype"] == np.int8:
        _o = (_o.astype(np.float32) - _s["quantization"][1]) * _s["quantization"][0]
    return _o

_acc = float(np.mean(np.argmax(_inferir_ref(resultado, d.x_teste), 1) == d.y_teste))
assert _acc >= exatidao_float - 0.02, f"A exatidão do modelo int8 ({_acc:.3f}) fica mais de 2 pontos abaixo da do modelo float ({exatidao_float:.3f}): a calibração usa imagens reais, em float32, com a forma (1, 8, 8, 1)?"

# %% teste_inferencia_float

_y2 = inferencia_tflite(modelo_tflite_float, d.x_teste[:2].astype(np.float64))
assert np.asarray(_y2).dtype == np.float32 and np.allclose(_y2, modelo.predict(d.x_teste[:2], verbose=0), atol=1e-3), "Uma entrada float64 deve ser convertida para float32 antes de set_tensor."

# %% teste_inferencia_int8
# Modelo int8 de referência construído aqui (independente do exercício 1).

def _rep():
    for _k in range(100):
        yield [d.x_treino[_k : _k + 1]]

_c = tf.lite.TFLiteConverter.from_keras_model(modelo)
_c.optimizations = [tf.lite.Optimize.DEFAULT]
_c.representative_dataset = _rep
_c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
_c.inference_input_type = tf.int8
_c.inference_output_type = tf.int8
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _ref8 = _c.convert()
    _i = tf.lite.Interpreter(model_content=_ref8)
_i.allocate_tensors()
_e, _s = _i.get_input_details()[0], _i.get_output_details()[0]
_passo = _s["quantization"][0]

def _um_a_um(_x):
    _saidas = []
    for _a in np.asarray(_x, dtype=np.float32):
        _q = np.clip(np.round(_a[np.newaxis] / _e["quantization"][0]) + _e["quantization"][1], -128, 127).astype(np.int8)
        _i.set_tensor(_e["index"], _q)
        _i.invoke()
        _saidas.append((_i.get_tensor(_s["index"])[0].astype(np.float32) - _s["quantization"][1]) * _passo)
    return np.stack(_saidas)

for _n in (1, 37):
    _y = inferencia_tflite(_ref8, d.x_teste[:_n])
    assert isinstance(_y, np.ndarray) and _y.dtype == np.float32, "Com um modelo int8, devolve float32: desquantiza a saída com (q - ponto_zero) * escala."
    assert _y.shape == (_n, 10), f"Com um modelo int8 e um lote de {_n}, esperava a forma ({_n}, 10) e veio {_y.shape}: redimensionaste a entrada?"
    _dif = float(np.max(np.abs(_y - _um_a_um(d.x_teste[:_n]))))
    assert _dif <= _passo * 1.001, f"Com um modelo int8, as saídas afastam-se {_dif:.3f} das esperadas (mais de um passo de quantização, {_passo:.3f}): quantiza a entrada com round(x / escala) + ponto_zero e desquantiza a saída com (q - ponto_zero) * escala, usando os parâmetros de cada tensor."

# %% teste_avaliar_tflite
# No modelo float (a inferência int8 já é avaliada no exercício 2).
_prev = np.argmax(modelo.predict(d.x_teste, verbose=0), axis=1)
_esperada = float(np.mean(_prev == d.y_teste))
_acc = avaliar_tflite(modelo_tflite_float, d.x_teste, d.y_teste)
assert abs(float(_acc) - _esperada) < 0.005, f"A exatidão devia ser {_esperada:.4f} e veio {float(_acc):.4f}."
# Etiquetas trocadas (y+1 mod 10): a exatidão tem de cair para quase 0.
assert float(avaliar_tflite(modelo_tflite_float, d.x_teste, (d.y_teste + 1) % 10)) < 0.1, "Com as etiquetas todas trocadas a exatidão devia ser quase 0: comparas as classes previstas com y, exemplo a exemplo?"
# Poucos exemplos: a exatidão é a fração certa (3 certos em 4 = 0.75).
_y4 = _prev[:4].copy()
_y4[0] = (_y4[0] + 1) % 10
assert abs(float(avaliar_tflite(modelo_tflite_float, d.x_teste[:4], _y4)) - 0.75) < 1e-9, "Com 3 acertos em 4 exemplos a exatidão é 0.75: devolve a fração de acertos (a média), não a contagem."

# %% contexto
# O contexto do juiz (autograder/juiz.py): o que os testes usam, calculado aqui, fora do kernel
# do aluno, como nas primeiras células do caderno (dados, modelo de base da cache, o TFLite
# float32 e a função por_dentro). O modelo_int8 do caderno é o resultado da função do aluno,
# pedido ao kernel dele como qualquer outra chamada (None se ainda não a fez).
import warnings  # noqa: F401 (usado pelos testes)
import tensorflow as tf

from otimizacao import dados, modelos

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
modelo = modelos.treinar_modelo_base(d)
exatidao_float = modelos.exatidao(modelo, d.x_teste, d.y_teste)
modelo_tflite_float = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()


def por_dentro(modelo_tflite: bytes) -> dict:
    """Tipos da entrada, da saída e dos pesos das operações Conv/Dense de um modelo TFLite."""
    interp = tf.lite.Interpreter(
        model_content=bytes(modelo_tflite),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interp.allocate_tensors()
    tensores = {t["index"]: t for t in interp.get_tensor_details()}
    pesos = [f"{op['op_name']}: {np.dtype(tensores[op['inputs'][1]]['dtype']).name}"
             for op in interp._get_ops_details() if op["op_name"] in ("CONV_2D", "FULLY_CONNECTED")]
    return {"entrada": np.dtype(interp.get_input_details()[0]["dtype"]).name,
            "saída": np.dtype(interp.get_output_details()[0]["dtype"]).name,
            "pesos": pesos}


try:
    modelo_int8 = quantizar_modelo_int8(modelo, d.x_treino)
except Exception:  # noqa: BLE001 (exercício por fazer ou errado: os testes dizem o quê)
    modelo_int8 = None
if not isinstance(modelo_int8, (bytes, bytearray)):
    modelo_int8 = None
