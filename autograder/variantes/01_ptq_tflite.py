"""Respostas de alunos imaginários ao caderno 01, para provar que a avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles o código do texto do módulo); cada um tem de falhar pelo
menos as células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "calibração com um só lote de num_amostras imagens": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    lote = np.asarray(dados_calibracao[:num_amostras], dtype=np.float32)
    conversor = tf.lite.TFLiteConverter.from_keras_model(modelo)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    conversor.representative_dataset = lambda: iter([[lote]])
    conversor.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conversor.inference_input_type = tf.int8
    conversor.inference_output_type = tf.int8
    return bytes(conversor.convert())
'''),
    "dataset representativo com tf.data": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    ds = tf.data.Dataset.from_tensor_slices(np.asarray(dados_calibracao, np.float32)).batch(1).take(num_amostras)

    def representativo():
        for lote in ds:
            yield [lote]

    c = tf.lite.TFLiteConverter.from_keras_model(modelo)
    c.optimizations = {tf.lite.Optimize.DEFAULT}
    c.representative_dataset = tf.lite.RepresentativeDataset(representativo)
    c.target_spec.supported_ops = {tf.lite.OpsSet.TFLITE_BUILTINS_INT8}
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
    return c.convert()
'''),
    "inferência um exemplo de cada vez, com np.rint e sem resize": ("inferencia_tflite", '''
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interp = _interpretador(modelo_tflite)
    interp.allocate_tensors()
    ent = interp.get_input_details()[0]
    sai = interp.get_output_details()[0]
    saidas = []
    for imagem in np.asarray(x, dtype=np.float32):
        v = imagem[None]
        if ent["dtype"] == np.int8:
            s, z = ent["quantization"]
            v = np.clip(np.rint(v / s + z), -128, 127).astype(np.int8)
        interp.set_tensor(ent["index"], v)
        interp.invoke()
        o = interp.get_tensor(sai["index"])[0]
        if sai["dtype"] == np.int8:
            s, z = sai["quantization"]
            o = s * (o.astype(np.float32) - z)
        saidas.append(o)
    return np.array(saidas, dtype=np.float32)
'''),
    "inferência com tf.lite.Interpreter e quantization_parameters": ("inferencia_tflite", '''
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interp = tf.lite.Interpreter(model_content=modelo_tflite)
    ent = interp.get_input_details()[0]
    interp.resize_tensor_input(ent["index"], np.shape(x))
    interp.allocate_tensors()
    ent, sai = interp.get_input_details()[0], interp.get_output_details()[0]
    x = np.asarray(x, np.float32)
    if ent["dtype"] != np.float32:
        p = ent["quantization_parameters"]
        x = np.clip(np.round(x / p["scales"][0] + p["zero_points"][0]), -128, 127).astype(ent["dtype"])
    interp.set_tensor(ent["index"], x)
    interp.invoke()
    y = interp.get_tensor(sai["index"])
    if sai["dtype"] != np.float32:
        p = sai["quantization_parameters"]
        y = (y.astype(np.float32) - p["zero_points"][0]) * p["scales"][0]
    return y.astype(np.float32)
'''),
    "avaliar com sum/len e ravel": ("avaliar_tflite", '''
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = inferencia_tflite(modelo_tflite, x).argmax(axis=1)
    certas = int((previstas == np.ravel(y)).sum())
    return certas / len(previstas)
'''),
}

# --------------------------------------------------------------------------- erros típicos
# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "o código do texto: supported_types = [tf.int8] (entrada e saída ficam float32)": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(modelo)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.int8]

    def representative_dataset():
        for data in dados_calibracao[:num_amostras]:
            yield [data[np.newaxis].astype(np.float32)]

    converter.representative_dataset = representative_dataset
    return converter.convert()
''', ["teste_quantizar_int8_tipos"]),
    "quantização dinâmica (sem dataset representativo): só os pesos ficam int8": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(modelo)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
''', ["teste_quantizar_int8_tipos"]),
    "ignora num_amostras (calibra com os dados todos)": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    amostras = np.asarray(dados_calibracao, dtype=np.float32)

    def rep():
        for i in range(len(amostras)):
            yield [amostras[i : i + 1]]

    c = tf.lite.TFLiteConverter.from_keras_model(modelo)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = rep
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
    return c.convert()
''', ["teste_quantizar_int8_tipos"]),
    "esquece inference_output_type (saída float32)": ("quantizar_modelo_int8", '''
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    amostras = np.asarray(dados_calibracao, dtype=np.float32)[:num_amostras]

    def rep():
        for i in range(len(amostras)):
            yield [amostras[i : i + 1]]

    c = tf.lite.TFLiteConverter.from_keras_model(modelo)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = rep
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    return c.convert()
''', ["teste_quantizar_int8_tipos"]),
    "o código do texto: float32 direto no modelo e o lote inteiro numa entrada de lote 1": ("inferencia_tflite", '''
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interpreter = _interpretador(modelo_tflite)
    interpreter.allocate_tensors()
    input_details = interpreter.get_input_details()
    output_details = interpreter.get_output_details()
    input_data = x.astype(np.float32)
    interpreter.set_tensor(input_details[0]["index"], input_data)
    interpreter.invoke()
    return interpreter.get_tensor(output_details[0]["index"])
''', ["teste_inferencia_float", "teste_inferencia_int8"]),
    "x.astype(int8) sem escala nem ponto zero, e saída sem desquantizar": ("inferencia_tflite", '''
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interp = _interpretador(modelo_tflite)
    ent = interp.get_input_details()[0]
    interp.resize_tensor_input(ent["index"], list(np.shape(x)))
    interp.allocate_tensors()
    ent, sai = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.set_tensor(ent["index"], np.asarray(x).astype(ent["dtype"]))
    interp.invoke()
    return interp.get_tensor(sai["index"]).astype(np.float32)
''', ["teste_inferencia_int8"]),
    "quantiza a entrada mas não desquantiza a saída": ("inferencia_tflite", '''
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interp = _interpretador(modelo_tflite)
    ent = interp.get_input_details()[0]
    interp.resize_tensor_input(ent["index"], list(np.shape(x)))
    interp.allocate_tensors()
    ent, sai = interp.get_input_details()[0], interp.get_output_details()[0]
    x = np.asarray(x, np.float32)
    if ent["dtype"] == np.int8:
        s, z = ent["quantization"]
        x = np.clip(np.round(x / s) + z, -128, 127).astype(np.int8)
    interp.set_tensor(ent["index"], x)
    interp.invoke()
    return interp.get_tensor(sai["index"]).astype(np.float32)
''', ["teste_inferencia_int8"]),
    "exatidão em percentagem (× 100)": ("avaliar_tflite", '''
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = np.argmax(inferencia_tflite(modelo_tflite, x), axis=-1)
    return float(np.mean(previstas == y) * 100)
''', ["teste_avaliar_tflite"]),
    "devolve o número de acertos em vez da fração": ("avaliar_tflite", '''
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = np.argmax(inferencia_tflite(modelo_tflite, x), axis=-1)
    return float(np.sum(previstas == y))
''', ["teste_avaliar_tflite"]),
}

# O aluno «meio certo»: acerta no exercício 3 e na inferência (referência), mas copia a conversão
# do texto (supported_types) no exercício 1.
MEIO_CERTO = {
    "quantizar_modelo_int8": "o código do texto: supported_types = [tf.int8] (entrada e saída ficam float32)",
}
