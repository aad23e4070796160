"""Respostas de alunos imaginários ao caderno 00, para provar que a avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos; cada um tem de falhar pelo menos as células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "memoria_modelo com match e divmod": ("memoria_modelo", '''
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
'''),
    "memoria_modelo com bits e math.ceil em inteiros": ("memoria_modelo", '''
import math

BITS = {"fp32": 32, "fp16": 16, "bf16": 16, "int8": 8, "int4": 4}

def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if tipo not in BITS or n_parametros < 0:
        raise ValueError("tipo desconhecido ou n negativo")
    return -(-n_parametros * BITS[tipo] // 8)
'''),
    "reducao_percentual como 100*(o-n)/o": ("reducao_percentual", '''
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    if not tamanho_original > 0:
        raise ValueError("O tamanho original tem de ser positivo.")
    return 100 * (tamanho_original - tamanho_novo) / tamanho_original
'''),
    "quantizar_afim com o ponto zero calculado pelo máximo": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(np.clip(qmax - np.round(hi / escala), qmin, qmax))
    q = np.clip(np.rint(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return escala * (np.asarray(q, dtype=np.float64) - ponto_zero)
'''),
    "empacotar_int4 com deslocamento +8 e nibble alto primeiro": ("empacotar_int4", '''
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q, dtype=np.int16).ravel() + 8).astype(np.uint8)
    if len(v) % 2 == 1:
        v = np.concatenate([v, np.zeros(1, dtype=np.uint8)])
    return ((v[0::2] << 4) | v[1::2]).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.uint8)
    v = np.stack([d >> 4, d & 15], axis=1).ravel()[:n]
    return v.astype(np.int16) - 8
'''),
    "empacotar_int4 com um ciclo em Python": ("empacotar_int4", '''
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
'''),
}

# --------------------------------------------------------------------------- erros típicos
# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "int4 com divisão inteira (n // 2): perde o último parâmetro de n ímpar": ("memoria_modelo", '''
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("negativo")
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
    if tipo == "int4":
        return n_parametros // 2
    if tipo not in bytes_por:
        raise ValueError("tipo")
    return n_parametros * bytes_por[tipo]
''', ["teste_memoria_modelo"]),
    "int4 como n * 0.5: devolve float e perde precisão em números grandes": ("memoria_modelo", '''
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    if n_parametros < 0:
        raise ValueError("negativo")
    bytes_por = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
    if tipo not in bytes_por:
        raise ValueError("tipo")
    return n_parametros * bytes_por[tipo]
''', ["teste_memoria_modelo"]),
    "dicionário sem validação: KeyError em vez de ValueError, e esquece bf16": ("memoria_modelo", '''
def memoria_modelo(n_parametros: int, tipo: str) -> int:
    return {"fp32": 4, "fp16": 2, "int8": 1}[tipo] * n_parametros if tipo != "int4" else (n_parametros + 1) // 2
''', ["teste_memoria_modelo"]),
    "redução devolvida como fração (0.75) em vez de percentagem": ("reducao_percentual", '''
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    if tamanho_original <= 0:
        raise ValueError("original")
    return 1 - tamanho_novo / tamanho_original
''', ["teste_reducao_percentual"]),
    "redução sem validação: ZeroDivisionError em vez de ValueError": ("reducao_percentual", '''
def reducao_percentual(tamanho_original: float, tamanho_novo: float) -> float:
    return (1 - tamanho_novo / tamanho_original) * 100
''', ["teste_reducao_percentual"]),
    "quantização simétrica (escala = max|x|/127, ponto zero 0): não usa o intervalo todo": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmax = 2 ** (bits - 1) - 1
    escala = float(np.max(np.abs(x))) / qmax
    q = np.clip(np.round(np.asarray(x) / escala), -qmax - 1, qmax).astype(np.int8)
    return q, escala, 0


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala
''', ["teste_quantizar_afim"]),
    "intervalo não alargado ao 0 e ponto zero fora dos 8 bits": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = float(np.min(x)), float(np.max(x))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(round(qmin - lo / escala))
    q = np.clip(np.round(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala
''', ["teste_quantizar_afim"]),
    "trunca com astype(int) em vez de arredondar: erro até um passo inteiro": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(round(qmin - lo / escala))
    q = np.clip((np.asarray(x) / escala).astype(np.int32) + zero, qmin, qmax).astype(np.int8)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala
''', ["teste_desquantizar"]),
    "ponto zero truncado com int() em vez de arredondado: o máximo sai do intervalo": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / (qmax - qmin) if hi > lo else 1.0
    zero = int(qmin - lo / escala)
    q = np.clip(np.round(np.asarray(x) / escala) + zero, qmin, qmax).astype(np.int32)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return escala * (np.asarray(q, dtype=np.float64) - ponto_zero)
''', ["teste_desquantizar"]),
    "8 bits fixos (ignora o argumento bits) e divide por zero num tensor constante": ("quantizar_afim", '''
def quantizar_afim(x: np.ndarray, bits: int = 8) -> tuple[np.ndarray, float, int]:
    lo, hi = min(0.0, float(np.min(x))), max(0.0, float(np.max(x)))
    escala = (hi - lo) / 255
    zero = int(round(-128 - lo / escala))
    q = np.clip(np.round(np.asarray(x) / escala) + zero, -128, 127).astype(np.int8)
    return q, escala, zero


def desquantizar(q: np.ndarray, escala: float, ponto_zero: int) -> np.ndarray:
    return (np.asarray(q, dtype=np.float32) - ponto_zero) * escala
''', ["teste_quantizar_afim"]),
    "int4 guardado um por byte (não poupa nada face ao int8)": ("empacotar_int4", '''
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    return (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    v = np.asarray(dados, dtype=np.int16)[:n]
    return np.where(v > 7, v - 16, v).astype(np.int8)
''', ["teste_int4_tamanho"]),
    "negativos sem extensão de sinal: -1 volta como 15": ("empacotar_int4", '''
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)
    if v.size % 2:
        v = np.append(v, np.uint8(0))
    return (v[0::2] | (v[1::2] << 4)).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.uint8)
    return np.stack([d & 0xF, d >> 4], axis=1).ravel()[:n].astype(np.int8)
''', ["teste_int4_ida_e_volta"]),
    "n ímpar: o último valor perde-se (len // 2 bytes)": ("empacotar_int4", '''
def empacotar_int4(q: np.ndarray) -> np.ndarray:
    v = (np.asarray(q).astype(np.int16) & 0xF).astype(np.uint8)
    m = len(v) // 2
    return (v[0:2 * m:2] | (v[1:2 * m:2] << 4)).astype(np.uint8)


def desempacotar_int4(dados: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(dados, dtype=np.int16)
    v = np.stack([d & 0xF, d >> 4], axis=1).ravel()[:n]
    return np.where(v > 7, v - 16, v).astype(np.int8)
''', ["teste_int4_tamanho", "teste_int4_ida_e_volta"]),
}

# O aluno «meio certo» da turma de demonstração: acerta nos exercícios 1 e 2 (referência) e
# comete um erro típico nos exercícios 3 e 4.
MEIO_CERTO = {
    "quantizar_afim": "trunca com astype(int) em vez de arredondar: erro até um passo inteiro",
    "empacotar_int4": "negativos sem extensão de sinal: -1 volta como 15",
}
