# Respostas de alunos imaginários ao caderno 01_ptq_tflite, para provar que a avaliação é justa.
# Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos está o código do texto do módulo.
# O aluno «meio certo»: acerta no exercício 3 e na inferência (referência), mas copia a conversão
# do texto (supported_types) no exercício 1.


# %% certa quantizar_modelo_int8: calibração com um só lote de num_amostras imagens
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    lote = np.asarray(dados_calibracao[:num_amostras], dtype=np.float32)
    conversor = tf.lite.TFLiteConverter.from_keras_model(modelo)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    conversor.representative_dataset = lambda: iter([[lote]])
    conversor.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conversor.inference_input_type = tf.int8
    conversor.inference_output_type = tf.int8
    return bytes(conversor.convert())


# %% certa quantizar_modelo_int8: dataset representativo com tf.data
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


# %% certa inferencia_tflite: inferência um exemplo de cada vez, com np.rint e sem resize
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


# %% certa inferencia_tflite: inferência com tf.lite.Interpreter e quantization_parameters
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


# %% certa avaliar_tflite: avaliar com sum/len e ravel
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = inferencia_tflite(modelo_tflite, x).argmax(axis=1)
    certas = int((previstas == np.ravel(y)).sum())
    return certas / len(previstas)


# %% errada quantizar_modelo_int8: o código do texto: supported_types = [tf.int8] (entrada e saída ficam float32)
# falha: teste_quantizar_int8_tipos
# aluno: meio_certo
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(modelo)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.int8]

    def representative_dataset():
        for data in dados_calibracao[:num_amostras]:
            yield [data[np.newaxis].astype(np.float32)]

    converter.representative_dataset = representative_dataset
    return converter.convert()


# %% errada quantizar_modelo_int8: quantização dinâmica (sem dataset representativo): só os pesos ficam int8
# falha: teste_quantizar_int8_tipos
def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(modelo)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()


# %% errada quantizar_modelo_int8: ignora num_amostras (calibra com os dados todos)
# falha: teste_quantizar_int8_tipos
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


# %% errada quantizar_modelo_int8: esquece inference_output_type (saída float32)
# falha: teste_quantizar_int8_tipos
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


# %% errada inferencia_tflite: o código do texto: float32 direto no modelo e o lote inteiro numa entrada de lote 1
# falha: teste_inferencia_float, teste_inferencia_int8
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interpreter = _interpretador(modelo_tflite)
    interpreter.allocate_tensors()
    input_details = interpreter.get_input_details()
    output_details = interpreter.get_output_details()
    input_data = x.astype(np.float32)
    interpreter.set_tensor(input_details[0]["index"], input_data)
    interpreter.invoke()
    return interpreter.get_tensor(output_details[0]["index"])


# %% errada inferencia_tflite: x.astype(int8) sem escala nem ponto zero, e saída sem desquantizar
# falha: teste_inferencia_int8
def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    interp = _interpretador(modelo_tflite)
    ent = interp.get_input_details()[0]
    interp.resize_tensor_input(ent["index"], list(np.shape(x)))
    interp.allocate_tensors()
    ent, sai = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.set_tensor(ent["index"], np.asarray(x).astype(ent["dtype"]))
    interp.invoke()
    return interp.get_tensor(sai["index"]).astype(np.float32)


# %% errada inferencia_tflite: quantiza a entrada mas não desquantiza a saída
# falha: teste_inferencia_int8
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


# %% errada avaliar_tflite: exatidão em percentagem (× 100)
# falha: teste_avaliar_tflite
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = np.argmax(inferencia_tflite(modelo_tflite, x), axis=-1)
    return float(np.mean(previstas == y) * 100)


# %% errada avaliar_tflite: devolve o número de acertos em vez da fração
# falha: teste_avaliar_tflite
def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    previstas = np.argmax(inferencia_tflite(modelo_tflite, x), axis=-1)
    return float(np.sum(previstas == y))
