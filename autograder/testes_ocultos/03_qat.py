# Testes ocultos do caderno 03_qat.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, tf, keras, modelo, d,
# modelo_tflite_float, exatidao_float, pesos_antes, q, modelo_qat_teste, tflite_qat_teste e as
# funções do aluno). Nunca usam solutions/; os limiares vêm de docs/contrato.md#03_qat.

# %% teste_preparar_qat
assert [type(_c).__name__ for _c in modelo.layers] == ["Conv2D", "Flatten", "Dense", "Dense"], "O modelo original foi alterado (as camadas foram embrulhadas): prepara uma cópia."
_perda = q.loss
_from_logits = _perda.get_config().get("from_logits", False) if hasattr(_perda, "get_config") else False
assert _from_logits, "O modelo de base devolve logits: compila com keras.losses.SparseCategoricalCrossentropy(from_logits=True) (a string 'sparse_categorical_crossentropy' assume probabilidades)."
_metricas = [getattr(_m, "name", _m) for _m in (q.compiled_metrics._user_metrics or [])] if getattr(q, "compiled_metrics", None) is not None else []
assert any("acc" in str(_m) for _m in _metricas), "Compila com metrics=[\"accuracy\"]."
_quant = [_c for _c in q.layers if type(_c).__name__ == "QuantizeWrapperV2"]
assert len(_quant) >= 3, f"Esperava as 3 camadas com pesos (Conv2D e 2 Dense) embrulhadas em QuantizeWrapperV2; há {len(_quant)}."

# %% teste_treinar_com_qat
assert all(np.array_equal(_a, _b) for _a, _b in zip(pesos_antes, modelo.get_weights(), strict=True)), "O treino mudou os pesos do modelo original: treina só a cópia QAT (a de preparar_qat)."
assert [type(_c).__name__ for _c in modelo.layers] == ["Conv2D", "Flatten", "Dense", "Dense"], "O modelo original foi alterado: treina e converte só a cópia QAT."
assert any(type(_c).__name__ == "QuantizeWrapperV2" for _c in modelo_qat_teste.layers), "O primeiro elemento devolvido deve ser o modelo QAT (com QuantizeWrapperV2), não o original."
assert modelo_qat_teste.optimizer is not None and int(modelo_qat_teste.optimizer.iterations.numpy()) > 0, "O modelo QAT devolvido nunca foi treinado: chama fit antes de converter."
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _i = tf.lite.Interpreter(model_content=bytes(tflite_qat_teste), experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
_i.allocate_tensors()
_t = {_x["index"]: _x for _x in _i.get_tensor_details()}
_pesos = [(_op["op_name"], np.dtype(_t[_op["inputs"][1]]["dtype"])) for _op in _i._get_ops_details() if _op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")]
assert len(_pesos) == 3 and all(_dt == np.int8 for _, _dt in _pesos), f"Os pesos das camadas Conv/Dense do TFLite do QAT devem ser int8: {_pesos}. Converte o modelo QAT com optimizations = [tf.lite.Optimize.DEFAULT]."
# O TFLite vem do modelo QAT devolvido: as classes previstas coincidem (quase) todas.
_xt = d.x_teste
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    _j = tf.lite.Interpreter(model_content=bytes(tflite_qat_teste))
_e = _j.get_input_details()[0]
_j.resize_tensor_input(_e["index"], list(_xt.shape))
_j.allocate_tensors()
_e, _s = _j.get_input_details()[0], _j.get_output_details()[0]
_v = np.asarray(_xt, np.float32)
if _e["dtype"] == np.int8:
    _v = np.clip(np.round(_v / _e["quantization"][0]) + _e["quantization"][1], -128, 127).astype(np.int8)
_j.set_tensor(_e["index"], _v)
_j.invoke()
_prev_tflite = _j.get_tensor(_s["index"]).argmax(-1)
_acc_ref = float(np.mean(_prev_tflite == d.y_teste))
assert _acc_ref >= exatidao_float - 0.015, f"O TFLite do QAT tem exatidão {_acc_ref:.3f}, mais de 1,5 pontos abaixo do float ({exatidao_float:.3f})."
_prev_qat = np.asarray(modelo_qat_teste.predict(_xt, verbose=0)).argmax(-1)
assert np.mean(_prev_qat == _prev_tflite) >= 0.95, "O modelo TFLite devolvido não corresponde ao modelo QAT devolvido: converte o modelo QAT treinado (não o original)."

# %% contexto
# O contexto do juiz (autograder/juiz.py): o que os testes usam, calculado aqui, fora do kernel
# do aluno, como nas primeiras células do caderno. Os modelos QAT voltam como ficheiros .keras
# (lidos com safe_mode, dentro do quantize_scope do tfmot).
import warnings  # noqa: F401 (usado pelos testes)
import tensorflow as tf
import tensorflow_model_optimization as tfmot  # noqa: F401 (lê os modelos QAT)
import tf_keras as keras  # noqa: F401

from otimizacao import dados, modelos

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
modelo = modelos.treinar_modelo_base(d)
exatidao_float = modelos.exatidao(modelo, d.x_teste, d.y_teste)
modelo_tflite_float = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()


def exatidao_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão de um modelo TFLite (entrada/saída float32 ou int8), um lote de cada vez."""
    interp = tf.lite.Interpreter(model_content=bytes(modelo_tflite))
    ent = interp.get_input_details()[0]
    interp.resize_tensor_input(ent["index"], list(x.shape))
    interp.allocate_tensors()
    ent, sai = interp.get_input_details()[0], interp.get_output_details()[0]
    x = np.asarray(x, np.float32)
    if ent["dtype"] == np.int8:
        escala, zero = ent["quantization"]
        x = np.clip(np.round(x / escala) + zero, -128, 127).astype(np.int8)
    interp.set_tensor(ent["index"], x)
    interp.invoke()
    return float(np.mean(interp.get_tensor(sai["index"]).argmax(-1) == y))
