# Respostas de alunos imaginários ao caderno 00_numeros_e_memoria, para provar que a avaliação é
# justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# O aluno «meio certo»: acerta nos exercícios 1 e 2 (referência) e comete um erro típico nos
# exercícios 3 e 4.


# %% certa memoria_modelo: memoria_modelo com match e divmod
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("O número de parâmetros não pode ser negativo.")
    match tipo:
        case "fp32":
            return 4 * n_parametros
        case "fp16" | "bf16":
            return 2 * n_parametros
        case "int8":
            return n_parametros
        case "int4":
            pares, resto = divmod(n_parametros, 2)
            return pares + resto
    raise ValueError(f"Formato desconhecido: {tipo}")


# %% certa memoria_modelo: memoria_modelo com bits e math.ceil em inteiros
BITS = {"fp32": 32, "fp16": 16, "bf16": 16, "int8": 8, "int4": 4}

def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if tipo not in BITS or n_parametros < 0:
        raise ValueError("tipo desconhecido ou n negativo")
    return -(-n_parametros * BITS[tipo] // 8)


# %% certa reducao_percentual: reducao_percentual como 100*(o-n)/o
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    if not tamanho_original > 0:
        raise ValueError("O tamanho original tem de ser positivo.")
    return 100 * (tamanho_original - tamanho_novo) / tamanho_original


# %% certa quantizar_afim: quantizar_afim com o ponto zero calculado pelo máximo
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(np.clip(qmax - np.round(hi / escala), qmin, qmax))
    q = np.clip(np.rint(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return escala * (np.asarray(q, dtype=np.float64) - ponto_zero)


# %% certa empacotar_int4: empacotar_int4 com deslocamento +8 e nibble alto primeiro
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q, dtype=np.int16).ravel() + 8).astype(np.uint8)
    if len(v) % 2 == 1:
        v = np.concatenate([v, np.zeros(1, dtype=np.uint8)])
    return ((v[0::2] << 4) | v[1::2]).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.uint8)
    v = np.stack([d >> 4, d & 15], axis=1).ravel()[:n]
    return v.astype(np.int16) - 8


# %% certa empacotar_int4: empacotar_int4 com um ciclo em Python
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    valores = [int(v) & 0xF for v in np.ravel(q)]
    saida = []
    for i in range(0, len(valores), 2):
        baixo = valores[i]
        alto = valores[i + 1] if i + 1 < len(valores) else 0
        saida.append(baixo | (alto << 4))
    return np.array(saida, dtype=np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    saida = []
    for byte in np.asarray(dados):
        for nibble in (int(byte) & 0xF, int(byte) >> 4):
            saida.append(nibble - 16 if nibble >= 8 else nibble)
    return np.array(saida[:n], dtype=np.int8)


# %% errada memoria_modelo: int4 com divisão inteira (n // 2): perde o último parâmetro de n ímpar
# falha: teste_memoria_modelo
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("negativo")
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
    if tipo == "int4":
        return n_parametros // 2
    if tipo not in bytes_por:
        raise ValueError("tipo")
    return n_parametros * bytes_por[tipo]


# %% errada memoria_modelo: int4 como n * 0.5: devolve float e perde precisão em números grandes
# falha: teste_memoria_modelo
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("negativo")
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    if tipo not in bytes_por:
        raise ValueError("tipo")
    return n_parametros * bytes_por[tipo]


# %% errada memoria_modelo: dicionário sem validação: KeyError em vez de ValueError, e esquece bf16
# falha: teste_memoria_modelo
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    return {"fp32": 4, "fp16": 2, "int8": 1}[tipo] * n_parametros if tipo != "int4" else (n_parametros + 1) // 2


# %% errada reducao_percentual: redução devolvida como fração (0.75) em vez de percentagem
# falha: teste_reducao_percentual
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    if tamanho_original <= 0:
        raise ValueError("original")
    return 1 - tamanho_novo / tamanho_original


# %% errada reducao_percentual: redução sem validação: ZeroDivisionError em vez de ValueError
# falha: teste_reducao_percentual
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    return (1 - tamanho_novo / tamanho_original) * 100


# %% errada quantizar_afim: quantização simétrica (escala = max|x|/127, ponto zero 0): não usa o intervalo todo
# falha: teste_quantizar_afim
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmax = 2 ** (bits - 1) - 1
    escala = float(np.max(np.abs(x))) / qmax
    q = np.clip(np.round(np.asarray(x) / escala), -qmax - 1, qmax).astype(np.int8)
    return q, escala, 0


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala


# %% errada quantizar_afim: intervalo não alargado ao 0 e ponto zero fora dos 8 bits
# falha: teste_quantizar_afim
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = float(np.min(x)), float(np.max(x))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(round(qmin - lo / escala))
    q = np.clip(np.round(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala


# %% errada quantizar_afim: trunca com astype(int) em vez de arredondar: erro até um passo inteiro
# falha: teste_desquantizar
# aluno: meio_certo
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(round(qmin - lo / escala))
    q = np.clip((np.asarray(x) / escala).astype(np.int32) + zero, qmin, qmax).astype(np.int8)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala


# %% errada quantizar_afim: ponto zero truncado com int() em vez de arredondado: o máximo sai do intervalo
# falha: teste_desquantizar
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(qmin - lo / escala)
    q = np.clip(np.round(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return escala * (np.asarray(q, dtype=np.float64) - ponto_zero)


# %% errada quantizar_afim: 8 bits fixos (ignora o argumento bits) e divide por zero num tensor constante
# falha: teste_quantizar_afim
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / 255
    zero = int(round(-128 - lo / escala))
    q = np.clip(np.round(np.asarray(x) / escala) + zero, -128, 127).astype(np.int8)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala


# %% errada empacotar_int4: int4 guardado um por byte (não poupa nada face ao int8)
# falha: teste_int4_tamanho
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    return (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    v = np.asarray(dados, dtype=np.int16)[:n]
    return np.where(v > 7, v - 16, v).astype(np.int8)


# %% errada empacotar_int4: negativos sem extensão de sinal: -1 volta como 15
# falha: teste_int4_ida_e_volta
# aluno: meio_certo
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)
    if v.size % 2:
        v = np.append(v, np.uint8(0))
    return (v[0::2] | (v[1::2] << 4)).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.uint8)
    return np.stack([d & 0xF, d >> 4], axis=1).ravel()[:n].astype(np.int8)


# %% errada empacotar_int4: n ímpar: o último valor perde-se (len // 2 bytes)
# falha: teste_int4_tamanho, teste_int4_ida_e_volta
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)
    m = len(v) // 2
    return (v[0:2 * m:2] | (v[1:2 * m:2] << 4)).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.int16)
    v = np.stack([d & 0xF, d >> 4], axis=1).ravel()[:n]
    return np.where(v > 7, v - 16, v).astype(np.int8)
